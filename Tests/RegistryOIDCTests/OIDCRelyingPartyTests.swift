import Foundation
import JWTKit
import Logging
import Testing
@testable import RegistryOIDC

@Suite("OIDC relying party")
struct OIDCRelyingPartyTests {
    let fixture: VerifierFixture

    init() throws {
        fixture = try VerifierFixture()
    }

    func relyingParty(secret: String? = "s3cret", config: LoginProviderSettings? = nil) -> OIDCRelyingParty {
        OIDCRelyingParty(provider: "oidc",
                         config: config ?? LoginProviderSettings(issuer: fixture.provider.issuer, scopes: ["profile", "openid", "groups"]),
                         clientID: "zot-client", clientSecret: secret, redirectURI: "https://registry.example.test/zot/auth/callback/oidc",
                         http: fixture.provider, logger: Logger(label: "test"), now: fixture.clock.function)
    }

    /// Makes the token endpoint answer with an ID token (RS256, no kid, like oidc-provider-mock) for `claims`.
    func answerWithIDToken(_ claims: TestClaims) async throws {
        let idToken = try await fixture.rsaToken(claims, kid: nil)
        fixture.provider.answerToken(status: 200, json: #"{"access_token":"opaque","token_type":"Bearer","id_token":"\#(idToken)"}"#)
    }

    func idTokenClaims(nonce: String = "nonce-1") -> TestClaims {
        var claims = TestClaims.valid(issuer: fixture.provider.issuer, audience: "zot-client", now: fixture.clock.seconds)
        claims.nonce = nonce
        return claims
    }

    func loginFailure(_ party: OIDCRelyingParty, nonce: String = "nonce-1") async -> OIDCError? {
        do {
            _ = try await party.completeLogin(code: "code-1", codeVerifier: "verifier-1", nonce: nonce)
            return nil
        } catch {
            return error
        }
    }

    @Test("The authorization URL carries every parameter and an S256 challenge of the verifier")
    func authorizationURL() async throws {
        let pkce = PKCE.generate()
        let url = try await relyingParty().authorizationURL(state: "state-1", nonce: "nonce-1", pkce: pkce)
        #expect(url.hasPrefix(fixture.provider.authorizeURL + "?"))
        let items = try #require(URLComponents(string: url)?.queryItems)
        let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "zot-client")
        #expect(query["redirect_uri"] == "https://registry.example.test/zot/auth/callback/oidc")
        #expect(query["scope"] == "openid profile groups")
        #expect(query["state"] == "state-1")
        #expect(query["nonce"] == "nonce-1")
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["code_challenge"] == PKCE(verifier: pkce.verifier).challenge)
        #expect(query["code_challenge"] != pkce.verifier)
    }

    @Test("Discovery is fetched once and reused")
    func discoveryCached() async throws {
        let party = relyingParty()
        for _ in 0..<3 { _ = try await party.authorizationURL(state: "s", nonce: "n", pkce: .generate()) }
        #expect(fixture.provider.requestCount(fixture.provider.discoveryURL) == 1)
    }

    @Test("A completed login exchanges the code with PKCE and Basic client auth and names the user")
    func completeLogin() async throws {
        try await answerWithIDToken(idTokenClaims())
        let user = try await relyingParty().completeLogin(code: "code-1", codeVerifier: "verifier-1", nonce: "nonce-1")
        #expect(user == OIDCUser(username: "alice", groups: ["dev", "ops"]))
        let exchange = try #require(fixture.provider.tokenRequests.first)
        #expect(exchange.fields == ["grant_type": "authorization_code", "code": "code-1", "code_verifier": "verifier-1",
                                    "redirect_uri": "https://registry.example.test/zot/auth/callback/oidc", "client_id": "zot-client"])
        #expect(exchange.basicAuth == "zot-client:s3cret")
    }

    @Test("A public client sends no client authentication")
    func publicClient() async throws {
        try await answerWithIDToken(idTokenClaims())
        _ = try await relyingParty(secret: nil).completeLogin(code: "code-1", codeVerifier: "verifier-1", nonce: "nonce-1")
        #expect(fixture.provider.tokenRequests.first?.basicAuth == nil)
    }

    @Test("The user name is a verified email by default and the configured claim when mapped")
    func usernameChoice() async throws {
        var claims = idTokenClaims()
        claims.email = "alice@example.test"
        try await answerWithIDToken(claims)
        #expect(try await relyingParty().completeLogin(code: "c", codeVerifier: "v", nonce: "nonce-1").username == "alice@example.test")
        claims.email_verified = false
        try await answerWithIDToken(claims)
        #expect(try await relyingParty().completeLogin(code: "c", codeVerifier: "v", nonce: "nonce-1").username == "alice")
        let mapped = LoginProviderSettings(issuer: fixture.provider.issuer, claims: ClaimNames(username: "sub", groups: "none"))
        claims.email_verified = true
        try await answerWithIDToken(claims)
        #expect(try await relyingParty(config: mapped).completeLogin(code: "c", codeVerifier: "v", nonce: "nonce-1")
            == OIDCUser(username: "alice", groups: []))
    }

    @Test("An ID token with another nonce is refused")
    func nonceMismatch() async throws {
        try await answerWithIDToken(idTokenClaims(nonce: "nonce-of-another-login"))
        #expect(await loginFailure(relyingParty()) == .nonceMismatch)
    }

    @Test("An ID token for another client is refused")
    func wrongAudience() async throws {
        var claims = idTokenClaims()
        claims.aud = ["another-client"]
        try await answerWithIDToken(claims)
        #expect(await loginFailure(relyingParty()) == .wrongAudience)
        claims.aud = ["zot-client", "another-client"]
        claims.azp = "another-client"
        try await answerWithIDToken(claims)
        #expect(await loginFailure(relyingParty()) == .wrongAudience)
    }

    @Test("A token endpoint error is reported with its status and OAuth error code")
    func tokenEndpointError() async throws {
        fixture.provider.answerToken(status: 400, json: #"{"error":"invalid_grant","error_description":"code expired"}"#)
        #expect(await loginFailure(relyingParty()) == .tokenEndpoint(status: 400, "invalid_grant: code expired"))
        fixture.provider.answerToken(status: 200, json: #"{"access_token":"opaque"}"#)
        #expect(await loginFailure(relyingParty()) == .tokenEndpoint(status: 200, "answer carries no id_token"))
    }

    @Test("A provider without an issuer cannot start a login")
    func noIssuer() async throws {
        let party = OIDCRelyingParty(provider: "github", config: LoginProviderSettings(), clientID: "c", clientSecret: nil,
                                     redirectURI: "https://r/cb", http: fixture.provider, logger: Logger(label: "test"))
        await #expect(throws: OIDCError.self) { try await party.authorizationURL(state: "s", nonce: "n", pkce: .generate()) }
    }

    @Test("Discovery refuses a document whose issuer differs from the configured one")
    func discoveryIssuerMismatch() async throws {
        fixture.provider.advertiseIssuer("https://evil.example.test")
        do {
            _ = try await relyingParty().authorizationURL(state: "s", nonce: "n", pkce: .generate())
            Issue.record("discovery of a foreign issuer was accepted")
        } catch {
            guard case .discovery(let detail) = error, detail.contains("differs from the configured issuer") else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
    }
}
