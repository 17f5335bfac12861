/// A failure reported by libldap (or by the code around it) while talking to the directory.
///
/// ``message`` is meant for logs: it names the operation and libldap's explanation, never a password.
public struct LDAPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The libldap result code (negative codes are client-side: connection lost, timeout, …); 0 when the
    /// failure did not come from libldap.
    public let code: Int32
    /// What was being done, e.g. `"service bind"`.
    public let operation: String
    /// libldap's text for the code plus its diagnostic message, when there is one.
    public let message: String

    /// Creates an error.
    public init(code: Int32, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    /// An error for `code` during `operation`, described by libldap (`ldap_err2string`) plus `diagnostic`.
    static func libldap(_ code: Int32, _ operation: String, diagnostic: String? = nil) -> LDAPError {
        var text = "result code \(code)"
        if case .success(let library) = LDAPLibrary.shared, let described = library.errorString(code) {
            text = String(cString: described)
        }
        if let diagnostic, !diagnostic.isEmpty { text += " (\(diagnostic))" }
        return LDAPError(code: code, operation: operation, message: text)
    }

    /// The connection is gone or never came up (server down, connect error): a pooled connection that fails
    /// this way is worth one retry on a fresh connection.
    public var isConnectionLost: Bool {
        code == LDAPResultCode.serverDown || code == LDAPResultCode.connectError
    }

    public var description: String { "LDAP \(operation) failed: \(message) [code \(code)]" }
}

/// libldap result codes Swift cannot import (parenthesised negative macros) or that are named for clarity.
enum LDAPResultCode {
    static let success: Int32 = 0x00
    static let sizeLimitExceeded: Int32 = 0x04
    static let invalidCredentials: Int32 = 0x31
    static let serverDown: Int32 = -1
    static let timeout: Int32 = -5
    static let connectError: Int32 = -11

    /// Server answers to a user bind that mean "this user may not log in with this password" rather than
    /// "the directory is broken": inappropriate authentication (48), invalid credentials (49), insufficient
    /// access (50), unwilling to perform (53), constraint violation (19, e.g. an expired password).
    static let userBindRejections: Set<Int32> = [0x13, 0x30, 0x31, 0x32, 0x35]
}
