/// Why a request was rejected during authentication.
///
/// ``detail`` is meant for logs: it may name the user but never contains a password, token or hash.
public struct AuthenticationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of failure.
    public enum Kind: String, Sendable, Hashable {
        /// The request carried more than one `Authorization` header.
        case multipleAuthorizationHeaders = "multiple-authorization-headers"
        /// An `Authorization` header that claims a scheme but cannot be decoded.
        case malformedCredentials = "malformed-credentials"
        /// Credentials were presented but no authenticator accepted them.
        case invalidCredentials = "invalid-credentials"
        /// A client certificate was presented but is unusable (not parseable, expired, no identity attribute).
        case invalidClientCertificate = "invalid-client-certificate"
        /// An authentication backend could not answer (thread pool shut down, directory unreachable, …).
        case backendUnavailable = "backend-unavailable"
    }

    /// The category of failure.
    public let kind: Kind
    /// A human-readable explanation for logs; never contains a secret.
    public let detail: String
    /// Whether the configured `failDelay` should be applied before answering (credential guessing).
    public let appliesFailDelay: Bool

    /// Creates a failure.
    public init(kind: Kind, detail: String, appliesFailDelay: Bool) {
        self.kind = kind
        self.detail = detail
        self.appliesFailDelay = appliesFailDelay
    }

    /// Credentials were presented but nobody accepted them; `failDelay` applies.
    public static func invalidCredentials(_ detail: String) -> AuthenticationFailure {
        AuthenticationFailure(kind: .invalidCredentials, detail: detail, appliesFailDelay: true)
    }

    /// An `Authorization` header could not be decoded.
    public static func malformedCredentials(_ detail: String) -> AuthenticationFailure {
        AuthenticationFailure(kind: .malformedCredentials, detail: detail, appliesFailDelay: false)
    }

    /// A client certificate was presented but cannot establish an identity.
    public static func invalidClientCertificate(_ detail: String) -> AuthenticationFailure {
        AuthenticationFailure(kind: .invalidClientCertificate, detail: detail, appliesFailDelay: false)
    }

    /// A backend could not answer; the request is denied.
    public static func backendUnavailable(_ detail: String) -> AuthenticationFailure {
        AuthenticationFailure(kind: .backendUnavailable, detail: detail, appliesFailDelay: false)
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}
