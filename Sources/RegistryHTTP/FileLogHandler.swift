import Foundation
import Logging
import Synchronization

/// A log handler that appends one human-readable line per message to a file (Zot's `log.output` with
/// `log.format: text`). Lines are written whole under a lock and the file follows log rotation.
public struct FileLogHandler: LogHandler {
    private typealias Sink = AppendOnlyFile

    private let sink: Sink
    private let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    /// Opens (creating with mode 0640) the file at `path` for appending.
    public init(label: String, path: String) throws {
        self.label = label
        sink = try AppendOnlyFile(path: path, mode: 0o640)
    }

    private init(label: String, sink: Sink) {
        self.label = label
        self.sink = sink
    }

    /// A factory for `LoggingSystem.bootstrap` that shares one open file between all loggers.
    public static func factory(path: String) throws -> @Sendable (String) -> any LogHandler {
        let sink = try AppendOnlyFile(path: path, mode: 0o640)
        return { label in FileLogHandler(label: label, sink: sink) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let timestamp = ISO8601DateFormatter().string(from: Date())
        sink.append(Array("\(timestamp) \(event.level) \(label): \(fields.isEmpty ? "" : fields + " ")\(event.message)\n".utf8))
    }
}
