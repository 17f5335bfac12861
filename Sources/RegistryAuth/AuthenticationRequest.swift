import Foundation
import RegistryCore

/// What an authenticator may look at: the credentials a request carries, already extracted from HTTP.
public struct AuthenticationRequest: Sendable {
    /// Every `Authorization` header value, in order. More than one is rejected by ``AuthenticatorChain``.
    public var authorizationHeaders: [String]
    /// The DER bytes of the client certificate leaf, present only when TLS verified it against the client CA.
    public var peerCertificateDER: [UInt8]?
    /// The client address as resolved by ``ClientAddressResolver`` (used for logs and rate limiting).
    public var clientAddress: String?
    /// Every `Cookie` header value, in order (browser sessions).
    public var cookieHeaders: [String]

    /// Creates a request description.
    public init(authorizationHeaders: [String] = [], peerCertificateDER: [UInt8]? = nil, clientAddress: String? = nil,
                cookieHeaders: [String] = []) {
        self.authorizationHeaders = authorizationHeaders
        self.peerCertificateDER = peerCertificateDER
        self.clientAddress = clientAddress
        self.cookieHeaders = cookieHeaders
    }

    /// The value of the cookie called `name`, from any `Cookie` header, or `nil`.
    public func cookie(named name: String) -> String? {
        for header in cookieHeaders {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                if parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
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
