import Foundation
import Logging

/// The registry as an OpenID Connect relying party: the browser login of `http.auth.openid.providers.<name>`
/// with the authorization-code flow, PKCE (`S256`), `state` and `nonce`.
///
/// Discovery happens on first use and is cached (a failure is retried at most every 10 s). `authURL` and
/// `tokenURL` from the config, when set, replace the discovered endpoints; keys always come from the
/// discovered `jwks_uri`. Without `issuer`, `google` defaults to `https://accounts.google.com` and `gitlab` to
/// `https://gitlab.com`; other providers (GitHub is plain OAuth 2, not OpenID) fail with
/// ``OIDCError/configuration(_:)``.
public final class OIDCRelyingParty: Sendable {
    /// The provider key from the config (`oidc`, `google`, …).
    public let provider: String
    /// The provider's settings.
    public let config: LoginProviderSettings
    /// The OAuth client id (the ID token's required audience).
    public let clientID: String
    /// Where the provider sends the browser back; must be registered with the provider.
    public let redirectURI: String
    /// The issuer used, or `nil` when none is configured or known for the provider.
    public let issuer: String?
    private let clientSecret: String?
    private let context: OIDCIssuerContext?
    private let http: any OIDCHTTPClient
    private let logger: Logger
    private let leeway: Duration
    private let now: @Sendable () -> Date

    /// Creates the relying party; nothing is fetched until the first login.
    ///
    /// - Parameters:
    ///   - clientSecret: when set, the code exchange authenticates with `client_secret_basic`; otherwise the
    ///     client is public (`none`, PKCE only).
    public init(provider: String, config: LoginProviderSettings, clientID: String, clientSecret: String?, redirectURI: String,
                http: any OIDCHTTPClient, logger: Logger, leeway: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.provider = provider
        self.config = config
        self.clientID = clientID
        self.clientSecret = clientSecret.flatMap { $0.isEmpty ? nil : $0 }
        self.redirectURI = redirectURI
        self.issuer = config.issuer ?? Self.defaultIssuers[provider]
        self.context = issuer.map { OIDCIssuerContext(issuer: $0, http: http, now: now) }
        self.http = http
        self.logger = logger
        self.leeway = leeway
        self.now = now
    }

    /// Well-known issuers for providers that may be configured without one.
    static let defaultIssuers = ["google": "https://accounts.google.com", "gitlab": "https://gitlab.com"]

    /// The scopes requested: `openid` first, then the configured ones (duplicates dropped).
    public var scopes: [String] {
        var result = ["openid"]
        for scope in config.scopes where !scope.isEmpty && !result.contains(scope) { result.append(scope) }
        return result
    }

    /// The URL to send the browser to: `response_type=code`, ``scopes``, `client_id`, `redirect_uri`, `state`,
    /// `nonce`, `code_challenge` and `code_challenge_method=S256`.
    public func authorizationURL(state: String, nonce: String, pkce: PKCE) async throws(OIDCError) -> String {
        let metadata = try await resolve().metadata
        guard let endpoint = config.authURL ?? metadata.authorizationEndpoint else {
            throw .discovery("the provider publishes no authorization_endpoint (set authURL)")
        }
        let query = FormEncoding.body([
            ("response_type", "code"),
            ("client_id", clientID),
            ("redirect_uri", redirectURI),
            ("scope", scopes.joined(separator: " ")),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", pkce.challenge),
            ("code_challenge_method", pkce.method),
        ])
        return endpoint + (endpoint.contains("?") ? "&" : "?") + query
    }

    /// Exchanges the authorization `code` (with the PKCE `codeVerifier`) and verifies the ID token: signature
    /// per the provider's JWKS, `iss`, `aud` containing ``clientID`` (and `azp`, when present, equal to it),
    /// `exp`/`nbf`/`iat` with leeway, and `nonce` equal to the one sent.
    public func completeLogin(code: String, codeVerifier: String, nonce: String) async throws(OIDCError) -> OIDCUser {
        let (metadata, keys) = try await resolve()
        guard let endpoint = config.tokenURL ?? metadata.tokenEndpoint else {
            throw .discovery("the provider publishes no token_endpoint (set tokenURL)")
        }
        let fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
                      ("code_verifier", codeVerifier), ("client_id", clientID)]
        let response: OIDCHTTPResponse
        do {
            response = try await http.postForm(endpoint, fields: fields, basicAuth: clientSecret.map { (user: clientID, password: $0) })
        } catch {
            throw .unreachable("POST \(endpoint): \(OIDCError.quote(String(describing: error), limit: 200))")
        }
        let answer = JSONValue.decodeObject(response.body)
        guard response.status == 200 else {
            throw .tokenEndpoint(status: response.status, Self.describeOAuthError(answer))
        }
        guard let idToken = answer?["id_token"]?.stringValue else {
            throw .tokenEndpoint(status: response.status, "answer carries no id_token")
        }
        guard let issuer else { throw .configuration("provider '\(provider)' has no issuer") }
        let verifier = OIDCTokenVerifier(issuer: issuer, audiences: [clientID], keys: keys, leeway: leeway, now: now)
        let claims = try await verifier.verify(idToken, nonce: nonce)
        if let authorizedParty = claims.claims["azp"], authorizedParty.stringValue != clientID { throw .wrongAudience }
        let user = try OIDCUser.from(claims, claims: config.claims)
        logger.debug("OIDC login verified", metadata: ["provider": "\(provider)", "user": "\(user.username)"])
        return user
    }

    private func resolve() async throws(OIDCError) -> (metadata: OIDCProviderMetadata, keys: JWKSKeyCache) {
        guard !clientID.isEmpty else { throw .configuration("provider '\(provider)' has no client id") }
        guard let context else {
            throw .configuration("provider '\(provider)' has no issuer; only OpenID Connect providers are supported")
        }
        return try await context.resolve()
    }

    /// `error` and a shortened `error_description` from an OAuth error answer (RFC 6749 §5.2).
    static func describeOAuthError(_ answer: [String: JSONValue]?) -> String {
        guard let error = answer?["error"]?.stringValue else { return "no OAuth error code" }
        guard let description = answer?["error_description"]?.stringValue else { return OIDCError.quote(error, limit: 60) }
        return "\(OIDCError.quote(error, limit: 60)): \(OIDCError.quote(description, limit: 160))"
    }
}
