import RegistryCore

/// What an authenticator may look at: the credentials a request carries, already extracted from HTTP.
public struct AuthenticationRequest: Sendable {
    /// Every `Authorization` header value, in order. More than one is rejected by ``AuthenticatorChain``.
    public var authorizationHeaders: [String]
    /// The DER bytes of the client certificate leaf, present only when TLS verified it against the client CA.
    public var peerCertificateDER: [UInt8]?
    /// The client address as resolved by ``ClientAddressResolver`` (used for logs and rate limiting).
    public var clientAddress: String?

    /// Creates a request description.
    public init(authorizationHeaders: [String] = [], peerCertificateDER: [UInt8]? = nil, clientAddress: String? = nil) {
        self.authorizationHeaders = authorizationHeaders
        self.peerCertificateDER = peerCertificateDER
        self.clientAddress = clientAddress
    }

    /// The single `Authorization` header value, or `nil` when there is none (or more than one).
    public var authorizationHeader: String? {
        authorizationHeaders.count == 1 ? authorizationHeaders[0] : nil
    }
}

/// One way of establishing who sent a request (htpasswd, LDAP, API keys, mTLS, …).
///
/// Contract:
/// - return an ``Identity`` when the authenticator recognises and accepts the credentials;
/// - return `nil` when the credentials are not for it (another scheme, an unknown user, or — for password
///   sources — a password that does not match), so the next authenticator may try;
/// - throw ``AuthenticationFailure`` to reject the request outright (malformed credentials, a certificate that
///   carries no usable identity, a backend that cannot answer).
public protocol Authenticator: Sendable {
    /// Tries to authenticate `request`; see the protocol documentation for the meaning of each outcome.
    func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity?
}
