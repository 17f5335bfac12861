import RegistryCore

/// Which part of a request an authenticator reads. ``AuthenticatorChain`` consults
/// `authorizationHeader` authenticators when the request carries an `Authorization` header and only then;
/// the others (client certificate, session cookie) only when it carries none — so credentials that are
/// presented and wrong always fail the request, and an API key's scopes always apply.
public enum CredentialSource: String, Sendable, Hashable {
    /// `Authorization: Basic …` or `Authorization: Bearer …` (htpasswd, LDAP, API keys, bearer tokens).
    case authorizationHeader = "authorization-header"
    /// The verified TLS client certificate of the connection (mTLS).
    case clientCertificate = "client-certificate"
    /// The browser session cookie (OIDC login).
    case sessionCookie = "session-cookie"
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
    /// The part of the request this authenticator reads; decides when the chain consults it.
    var credentialSource: CredentialSource { get }

    /// Tries to authenticate `request`; see the protocol documentation for the meaning of each outcome.
    func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity?
}
