import Foundation
@testable import RegistryConfig

/// A temporary directory removed when the value is deinitialized.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "zot-authz-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `contents` to `name` inside the directory and returns the full path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// Parses `text`, returning the problems (empty if it parsed).
func problems(_ text: String, format: ConfigFormat = .yaml) -> [ConfigProblem] {
    do {
        _ = try ConfigLoader.parse(text, format: format)
        return []
    } catch {
        return error.problems
    }
}

/// The problem messages keyed by path, for compact assertions.
func messagesByPath(_ text: String, format: ConfigFormat = .yaml) -> [String: String] {
    Dictionary(problems(text, format: format).map { ($0.path, $0.message) }, uniquingKeysWith: { first, _ in first })
}

/// A minimal valid YAML config, with `extra` appended under the top level.
func minimalYAML(_ extra: String = "") -> String {
    "storage:\n  rootDirectory: /tmp/zot\n" + extra
}
