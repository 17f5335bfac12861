import Foundation
import RegistryCore
import RegistryPolicy
import Synchronization

/// Appends audit events as JSON lines. Each line is written with a single `write(2)` under a lock,
/// so concurrent requests never interleave; if the file is renamed or removed (log rotation) it is
/// reopened at its path on the next write.
public final class AuditTrail: Sendable {
    /// The audit file's path.
    public var path: String { file.path }
    private let file: AppendOnlyFile

    /// Opens (creating with mode 0600) `path` for appending.
    public init(path: String) throws {
        file = try AppendOnlyFile(path: path, mode: 0o600)
    }

    /// Records an event.
    public func record(_ event: AuditEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(event) else { return }
        line.append(0x0a)
        file.append(line)
    }

    /// The current time as ISO 8601 with milliseconds, UTC.
    public static func timestamp() -> String {
        RFC3339Time.string(from: Date(), milliseconds: true)
    }
}
