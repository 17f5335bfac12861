import Crypto
import Foundation
import Logging
import RegistryConfig
import RegistryOIDC
import Synchronization

/// An OpenID provider in memory for login tests: discovery, a JWKS with one P-256 key, and a token endpoint that
/// answers with an ES256 ID token signed by that key (minted with swift-crypto alone).
final class FakeIdentityProvider: OIDCHTTPClient {
    /// What the token endpoint puts in the next ID token.
    struct NextToken: Sendable {
        var subject = "carol"
        var groups = ["dev"]
        var nonce: String?
        var audience = FakeIdentityProvider.clientID
        var issuer = FakeIdentityProvider.issuer
    }

    static let issuer = "https://idp.example.test"
    static let clientID = "zot-authz"
    static let redirectURI = "http://registry.example.test/zot/auth/callback/oidc"
    static var authorizeURL: String { issuer + "/authorize" }

    private let key = P256.Signing.PrivateKey()
    private let next = Mutex(NextToken())
    private let tokenRequests = Mutex<[[String: String]]>([])

    /// The relying party `oidc` using this provider.
    func relyingParty() -> OIDCRelyingParty {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return OIDCRelyingParty(provider: "oidc", config: LoginProviderSettings(issuer: Self.issuer),
                                clientID: Self.clientID, clientSecret: nil, redirectURI: Self.redirectURI, http: self, logger: logger)
    }

    /// Sets the claims of the next ID token.
    func willIssue(_ change: (inout NextToken) -> Void) {
        next.withLock { change(&$0) }
    }

    /// The form fields of every token request received.
    var receivedTokenRequests: [[String: String]] { tokenRequests.withLock { $0 } }

    func get(_ url: String) async throws -> OIDCHTTPResponse {
        switch url {
        case Self.issuer + "/.well-known/openid-configuration":
            return Self.json("""
            {"issuer":"\(Self.issuer)","authorization_endpoint":"\(Self.authorizeURL)","token_endpoint":"\(Self.issuer)/token",
             "jwks_uri":"\(Self.issuer)/jwks","response_types_supported":["code"]}
            """)
        case Self.issuer + "/jwks":
            let point = key.publicKey.rawRepresentation
            let x = Self.base64URL(point.prefix(32)), y = Self.base64URL(point.suffix(32))
            return Self.json(#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","use":"sig","x":"\#(x)","y":"\#(y)"}]}"#)
        default:
            return OIDCHTTPResponse(status: 404, body: [])
        }
    }

    func postForm(_ url: String, fields: [(String, String)], basicAuth: (user: String, password: String)?) async throws -> OIDCHTTPResponse {
        guard url == Self.issuer + "/token" else { return OIDCHTTPResponse(status: 404, body: []) }
        tokenRequests.withLock { $0.append(Dictionary(fields, uniquingKeysWith: { first, _ in first })) }
        let token = try mint(next.withLock { $0 })
        return Self.json(#"{"access_token":"opaque","token_type":"Bearer","id_token":"\#(token)"}"#)
    }

    private func mint(_ claims: NextToken) throws -> String {
        let now = Date().timeIntervalSince1970
        var payload: [String: Any] = ["iss": claims.issuer, "sub": claims.subject, "aud": claims.audience,
                                      "iat": Int(now) - 5, "exp": Int(now) + 300, "groups": claims.groups]
        if let nonce = claims.nonce { payload["nonce"] = nonce }
        let header = Self.base64URL(Data(#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#.utf8))
        let body = Self.base64URL(try JSONSerialization.data(withJSONObject: payload))
        let signingInput = header + "." + body
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + Self.base64URL(signature.rawRepresentation)
    }

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func json(_ text: String) -> OIDCHTTPResponse {
        OIDCHTTPResponse(status: 200, body: Array(text.utf8))
    }
}
