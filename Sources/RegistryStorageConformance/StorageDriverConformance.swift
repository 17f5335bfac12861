import Foundation
import NIOCore
import RegistryStorage

/// The shared test suite every `StorageDriver` must pass (modelled on Distribution's
/// `registry/storage/driver/testsuites`). It is framework-neutral: each `Check` runs against a
/// fresh, empty driver and throws `ConformanceFailure` on the first broken rule. A driver's test
/// target runs them all, e.g. with swift-testing:
///
/// ```swift
/// @Test(arguments: StorageDriverConformance.checks)
/// func s3Conforms(_ check: StorageDriverConformance.Check) async throws {
///     try await check.run(makeFreshS3Driver())
/// }
/// ```
public enum StorageDriverConformance {
    /// One named rule of the protocol.
    public struct Check: Sendable, CustomStringConvertible {
        /// What the check proves, as a sentence.
        public let name: String
        /// Runs the check against a fresh, empty driver.
        public let run: @Sendable (any StorageDriver) async throws -> Void

        public var description: String { name }
    }

    /// Every check, in a stable order.
    public static let checks: [Check] = contentChecks + readChecks + writerChecks + namespaceChecks + pathChecks

    /// Runs every check, each on a driver from `makeDriver`; throws the first failure, naming the check.
    public static func runAll(_ makeDriver: @Sendable () async throws -> any StorageDriver) async throws {
        for check in checks {
            do {
                try await check.run(try await makeDriver())
            } catch {
                throw ConformanceFailure("\(check.name): \(error)")
            }
        }
    }
}

/// A broken rule: what was expected and what happened.
public struct ConformanceFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String, file: StaticString = #fileID, line: UInt = #line) {
        self.description = "\(description) (\(file):\(line))"
    }
}

// MARK: helpers shared by the checks

func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) throws {
    if !condition { throw ConformanceFailure(message(), file: file, line: line) }
}

/// Runs `body` and requires it to throw `expected`.
func requireError<T>(_ expected: StorageDriverError, file: StaticString = #fileID, line: UInt = #line, _ body: () async throws -> T) async throws {
    do {
        _ = try await body()
    } catch let error as StorageDriverError {
        try require(same(error, expected), "expected \(expected), got \(error)", file: file, line: line)
        return
    } catch {
        throw ConformanceFailure("expected \(expected), got a non-driver error \(error)", file: file, line: line)
    }
    throw ConformanceFailure("expected \(expected), but the call succeeded", file: file, line: line)
}

extension StorageDriverError {
    /// Same case (and path, where there is one); messages may differ between drivers.
    static func same(_ a: StorageDriverError, _ b: StorageDriverError) -> Bool {
        switch (a, b) {
        case (.pathNotFound(let x), .pathNotFound(let y)): return x == y
        case (.invalidPath, .invalidPath): return true
        case (.invalidOffset(let x, let o), .invalidOffset(let y, let p)): return x == y && o == p
        case (.tooLarge(let x, _), .tooLarge(let y, _)): return x == y
        case (.isDirectory(let x), .isDirectory(let y)): return x == y
        case (.writerFinished(let x), .writerFinished(let y)): return x == y
        case (.unsupported, .unsupported): return true
        default: return false
        }
    }
}

private func same(_ a: StorageDriverError, _ b: StorageDriverError) -> Bool { StorageDriverError.same(a, b) }

func p(_ text: String) throws -> StoragePath { try StoragePath(text) }

/// Deterministic pseudo-random bytes.
func sample(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// Reads a whole stream.
func collect(_ stream: StorageReadStream) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    for try await chunk in stream { bytes.append(contentsOf: chunk.readableBytesView) }
    return bytes
}

/// Writes `content` through a new writer in chunks of `chunk` bytes and commits.
func writeStreamed(_ driver: any StorageDriver, _ path: StoragePath, _ content: [UInt8], chunk: Int) async throws {
    let writer = try await driver.writer(path, append: false)
    var start = 0
    while start < content.count {
        let end = min(content.count, start + chunk)
        try await writer.write(ByteBuffer(bytes: content[start..<end]))
        start = end
    }
    try require(writer.size == Int64(content.count), "writer size \(writer.size) after writing \(content.count) bytes")
    try await writer.commit()
}
