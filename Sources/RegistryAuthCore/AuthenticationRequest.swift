import Foundation
import RegistryCore

/// What an authenticator may look at: the credentials a request carries, already extracted from HTTP.
public struct AuthenticationRequest: Sendable {
    /// Every `Authorization` header value, in order. More than one is rejected by ``AuthenticatorChain``.
    public var authorizationHeaders: [String]
    /// The DER bytes of the client certificate leaf, present only when TLS verified it against the client CA.
    public var peerCertificateDER: [UInt8]?
    /// Every `Cookie` header value, in order (browser sessions).
    public var cookieHeaders: [String]

    /// Creates a request description.
    public init(authorizationHeaders: [String] = [], peerCertificateDER: [UInt8]? = nil, cookieHeaders: [String] = []) {
        self.authorizationHeaders = authorizationHeaders
        self.peerCertificateDER = peerCertificateDER
        self.cookieHeaders = cookieHeaders
    }

    /// The value of the cookie called `name`, from any `Cookie` header, or `nil`.
    public func cookie(named name: String) -> String? {
        for header in cookieHeaders {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                if parts[0].trimmingHTTPWhitespace() == name {
                    return String(parts[1].trimmingHTTPWhitespace())
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
