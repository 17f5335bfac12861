import Foundation
import RegistryCore
import Synchronization

/// One line of the audit file (Zot's `log.audit`): an authentication or authorization decision.
/// It never holds a secret: no password, key, token, cookie or query string.
public struct AuditEvent: Codable, Sendable, Equatable {
    /// What was decided.
    public enum Result: String, Codable, Sendable {
        case allow
        case deny
        case authFailure = "auth-failure"
        case rateLimited = "rate-limited"
    }

    public var time: String
    public var requestId: String
    public var clientIp: String
    public var method: String
    public var path: String
    public var repository: String?
    public var action: String?
    public var user: String?
    public var groups: [String]?
    public var authMethod: String
    public var result: Result
    public var rule: String?
    public var breakGlass: Bool?
    public var reason: String?
    /// Account events that are not a request decision: `oidc-login`, `oidc-logout`, `apikey-create`,
    /// `apikey-revoke`, `apikey-revoke-all`; `nil` for authentication/authorization decisions.
    public var event: String?
    /// The non-secret id of the credential used or affected (an API key's uuid).
    public var credentialId: String?
}

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
    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
