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
    private struct State {
        var descriptor: Int32
        var inode: UInt64
    }

    /// The audit file's path.
    public let path: String
    private let state: Mutex<State>

    /// Opens (creating with mode 0600) `path` for appending.
    public init(path: String) throws {
        self.path = path
        state = Mutex(try Self.open(path))
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// Records an event.
    public func record(_ event: AuditEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(event) else { return }
        line.append(0x0a)
        state.withLock { state in
            if Self.inode(of: path) != state.inode, let reopened = try? Self.open(path) {
                close(state.descriptor)
                state = reopened
            }
            line.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(state.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 { if errno == EINTR { continue }; return }
                    offset += written
                }
            }
        }
    }

    private static func open(_ path: String) throws -> State {
        let descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        var info = stat()
        fstat(descriptor, &info)
        return State(descriptor: descriptor, inode: UInt64(info.st_ino))
    }

    private static func inode(of path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    /// The current time as ISO 8601 with milliseconds, UTC.
    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
