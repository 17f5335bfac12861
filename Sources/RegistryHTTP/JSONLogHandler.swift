import Foundation
import Logging
import RegistryCore
import Synchronization

/// A log handler writing one JSON object per line (`log.format: json`, the default), as Zot does:
///
/// ```json
/// {"time":"2025-01-02T03:04:05.678Z","level":"info","label":"zot-authz","message":"access denied","requestId":"…","rule":"…"}
/// ```
///
/// `time` is RFC 3339 in UTC with milliseconds; `level` is the swift-log level name (`trace`, `debug`, `info`,
/// `notice`, `warning`, `error`, `critical`). Metadata is flattened to string fields, sorted by key. Hummingbird's
/// request id (`hb.request.id`) is written as `requestId`, the field name and value of the audit trail, so a log
/// line and an audit event of the same request can be joined. Fields whose name suggests a secret
/// (authorization, cookie, password, secret, token) are written as `[redacted]`.
public struct JSONLogHandler: LogHandler {
    /// Where lines are written: standard output or a file opened for appending. Each line is written with
    /// whole `write(2)` calls under a lock, so concurrent requests never interleave.
    public final class Destination: Sendable {
        private let file: AppendOnlyFile?
        private let standardOutput: Mutex<Int32>

        /// The process's standard output.
        public static let standardOutput = Destination(file: nil)

        /// Opens (creating with mode 0640) `path` for appending; after log rotation renames it, lines go to a new
        /// file at the same path.
        public convenience init(appendingTo path: String) throws {
            self.init(file: try AppendOnlyFile(path: path, mode: 0o640))
        }

        private init(file: AppendOnlyFile?) {
            self.file = file
            standardOutput = Mutex(STDOUT_FILENO)
        }

        func write(_ line: String) {
            var bytes = Array(line.utf8)
            bytes.append(0x0a)
            if let file {
                file.append(bytes)
                return
            }
            standardOutput.withLock { AppendOnlyFile.writeAll(bytes, to: $0) }
        }
    }

    /// The metadata key under which Hummingbird puts its request id.
    static let hummingbirdRequestIDKey = "hb.request.id"
    /// Field names written by the handler itself; metadata with these names is prefixed `metadata.`.
    static let reservedFields: Set<String> = ["time", "level", "label", "message", "requestId", "error"]
    private static let secretMarkers = ["authorization", "cookie", "password", "secret", "token"]

    private let label: String
    private let destination: Destination
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for loggers labelled `label`, writing to `destination`.
    public init(label: String, destination: Destination) {
        self.label = label
        self.destination = destination
    }

    /// A factory for `Logger(label:factory:)` that shares `destination` between all loggers.
    public static func factory(_ destination: Destination) -> @Sendable (String) -> any LogHandler {
        { label in JSONLogHandler(label: label, destination: destination) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        destination.write(Self.line(time: AuditTrail.timestamp(), level: event.level, label: label, message: "\(event.message)",
                                    error: event.error.map { "\($0)" }, metadata: merged))
    }

    /// One log line (without the line feed).
    static func line(time: String, level: Logger.Level, label: String, message: String, error: String?, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [("time", time), ("level", level.rawValue), ("label", label), ("message", message)]
        var rest = metadata
        if let requestID = rest.removeValue(forKey: hummingbirdRequestIDKey) {
            fields.append(("requestId", requestID.description))
        }
        if let error { fields.append(("error", error)) }
        for (key, value) in rest.sorted(by: { $0.key < $1.key }) {
            let name = reservedFields.contains(key) ? "metadata." + key : key
            let lowered = key.lowercased()
            fields.append((name, secretMarkers.contains(where: lowered.contains) ? "[redacted]" : flatten(value)))
        }
        return "{" + fields.map { JSONText.quote($0.0) + ":" + JSONText.quote($0.1) }.joined(separator: ",") + "}"
    }

    /// A metadata value as one string: strings as they are, lists and dictionaries in swift-log's notation.
    private static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        default: return value.description
        }
    }
}
