import RegistryAuthCore
import Foundation
import Logging
import NIOCore
@testable import RegistryAuth
import Synchronization

/// A monotonic clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(NIODeadline.uptimeNanoseconds(1_000_000_000))

    var now: @Sendable () -> NIODeadline { { [self] in current.withLock { $0 } } }

    func advance(by amount: TimeAmount) {
        current.withLock { $0 = $0 + amount }
    }
}

/// A temporary directory removed when the value is deinitialised.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("registry-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` by writing a sibling file and renaming it over (a new inode each time).
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let staging = path(".\(name).\(UUID().uuidString)")
        try Data(text.utf8).write(to: URL(fileURLWithPath: staging))
        guard rename(staging, path(name)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return path(name)
    }
}

enum TestHash {
    struct GenerationFailed: Error {}

    /// A libcrypt hash of `password` (`"$2b$"` cost 4 by default: fast in tests).
    static func make(_ password: String, prefix: String = "$2b$", count: Int = 4) throws -> String {
        guard let setting = Crypt.generateSetting(prefix: prefix, count: count),
              let hash = Crypt.hash(phrase: password, setting: setting) else { throw GenerationFailed() }
        return hash
    }

    /// `htpasswd -nbB -C 4 user password` from apache2-utils (produces `$2y$`).
    static func apacheBcryptLine(user: String, password: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/htpasswd")
        process.arguments = ["-nbB", "-C", "4", user, password]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A log handler that keeps every message, so tests can check what is (and is not) logged.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let extra = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            sink.append("\(event.level) \(event.message) \(extra)")
        }
    }
}

extension AuthenticationRequest {
    static func basic(_ user: String, _ password: String) -> AuthenticationRequest {
        AuthenticationRequest(authorizationHeaders: [BasicCredentials(username: user, password: password).headerValue])
    }
}
