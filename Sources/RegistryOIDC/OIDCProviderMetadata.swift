import Foundation

/// The parts of an OpenID Provider's discovery document (`<issuer>/.well-known/openid-configuration`) we use.
public struct OIDCProviderMetadata: Sendable, Codable, Hashable {
    /// The provider's issuer identifier; must match the configured issuer (see ``OIDCIssuer/matches(_:_:)``).
    public var issuer: String
    /// Where the browser is sent to log in (absent for workload-identity issuers such as CI token issuers).
    public var authorizationEndpoint: String?
    /// Where authorization codes are exchanged for tokens (absent for workload-identity issuers).
    public var tokenEndpoint: String?
    /// The provider's signing keys.
    public var jwksURI: String
    /// RP-initiated logout, when offered.
    public var endSessionEndpoint: String?

    /// Creates metadata.
    public init(issuer: String, authorizationEndpoint: String?, tokenEndpoint: String?, jwksURI: String, endSessionEndpoint: String? = nil) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.endSessionEndpoint = endSessionEndpoint
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
    }

    /// Fetches and validates the discovery document of `issuer`.
    ///
    /// The document's `issuer` must match `issuer` (``OIDCIssuer/matches(_:_:)``), and every endpoint must be an
    /// absolute `https` URL — or `http` when the issuer itself is `http` (local test providers).
    public static func discover(issuer: String, http: any OIDCHTTPClient) async throws(OIDCError) -> OIDCProviderMetadata {
        let url = OIDCIssuer.discoveryURL(for: issuer)
        let response: OIDCHTTPResponse
        do { response = try await http.get(url) } catch {
            throw .unreachable("GET \(url): \(OIDCError.quote(String(describing: error), limit: 200))")
        }
        guard response.status == 200 else { throw .discovery("GET \(url) answered HTTP \(response.status)") }
        let metadata: OIDCProviderMetadata
        do { metadata = try JSONDecoder().decode(OIDCProviderMetadata.self, from: Data(response.body)) } catch {
            throw .discovery("\(url) is not a valid discovery document: \(OIDCError.quote(String(describing: error), limit: 200))")
        }
        guard OIDCIssuer.matches(metadata.issuer, issuer) else {
            throw .discovery("document issuer '\(OIDCError.quote(metadata.issuer))' differs from the configured issuer '\(issuer)'")
        }
        let allowHTTP = issuer.lowercased().hasPrefix("http://")
        let endpoints: [(String, String?)] = [("authorization_endpoint", metadata.authorizationEndpoint),
                                              ("token_endpoint", metadata.tokenEndpoint), ("jwks_uri", metadata.jwksURI)]
        for case let (name, endpoint?) in endpoints {
            guard OIDCIssuer.isAcceptableEndpoint(endpoint, allowHTTP: allowHTTP) else {
                throw .discovery("\(name) '\(OIDCError.quote(endpoint))' is not an absolute https URL")
            }
        }
        return metadata
    }
}

/// Issuer identifier rules.
public enum OIDCIssuer {
    /// Whether two issuer identifiers name the same issuer: exactly equal strings, as OpenID Connect Core
    /// (§3.1.3.7) and Discovery (§4.3) require — no trailing-slash tolerance, no case folding, no default ports,
    /// no path normalisation. Configure the issuer exactly as the provider writes it in its tokens.
    public static func matches(_ lhs: String, _ rhs: String) -> Bool {
        lhs == rhs
    }

    /// `<issuer>/.well-known/openid-configuration`, without doubling a trailing slash.
    public static func discoveryURL(for issuer: String) -> String {
        trimmingOneSlash(issuer) + "/.well-known/openid-configuration"
    }

    static func trimmingOneSlash(_ text: String) -> String {
        text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func isAcceptableEndpoint(_ endpoint: String, allowHTTP: Bool) -> Bool {
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else { return false }
        return scheme == "https" || (allowHTTP && scheme == "http")
    }
}
