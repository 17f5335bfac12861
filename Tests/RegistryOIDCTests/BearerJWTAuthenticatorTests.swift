import Foundation
import JWTKit
import Logging
import RegistryAuthCore
import RegistryCore
import Testing
@testable import RegistryOIDC

@Suite("Bearer JWT authenticator")
struct BearerJWTAuthenticatorTests {
    let fixture: VerifierFixture

    init() throws {
        fixture = try VerifierFixture()
    }

    func authenticator(_ issuers: [BearerIssuerSettings]? = nil, http: (any OIDCHTTPClient)? = nil) -> BearerJWTAuthenticator {
        BearerJWTAuthenticator(issuers: issuers ?? [BearerIssuerSettings(issuer: fixture.provider.issuer, audiences: ["registry"])],
                               http: http ?? fixture.provider, logger: Logger(label: "test"), now: fixture.clock.function)
    }

    func request(_ header: String) -> AuthenticationRequest {
        AuthenticationRequest(authorizationHeaders: [header])
    }

    func failure(_ authenticator: BearerJWTAuthenticator, _ header: String) async -> AuthenticationFailure? {
        do {
            _ = try await authenticator.authenticate(request(header))
            return nil
        } catch {
            return error
        }
    }

    @Test("A valid bearer JWT becomes a bearer identity named <iss>/<sub> with the token's groups")
    func validToken() async throws {
        let token = try await fixture.rsaToken(fixture.validClaims)
        let identity = try await authenticator().authenticate(request("Bearer \(token)"))
        #expect(identity == Identity(username: fixture.provider.issuer + "/alice", groups: ["dev", "ops"], method: .bearer))
    }

    @Test("A bearer token with sub=admin is not the local user admin: without a claim mapping it is <iss>/admin")
    func subjectCannotCollideWithLocalUsers() async throws {
        var claims = fixture.validClaims
        claims.sub = "admin"
        let identity = try await authenticator().authenticate(request("Bearer \(try await fixture.rsaToken(claims))"))
        #expect(identity?.username == fixture.provider.issuer + "/admin")
        #expect(identity?.username != "admin")
    }

    @Test("Zot's explicit default mapping claims.iss + '/' + claims.sub names the user <iss>/<sub> too")
    func zotDefaultMappingExpression() async throws {
        let config = BearerIssuerSettings(issuer: fixture.provider.issuer, audiences: ["registry"],
                                      claims: ClaimNames(username: "claims.iss + '/' + claims.sub", groups: nil))
        let token = try await fixture.rsaToken(fixture.validClaims)
        #expect(try await authenticator([config]).authenticate(request("Bearer \(token)"))?.username == fixture.provider.issuer + "/alice")
    }

    @Test("Claim mapping picks the user-name claim and accepts a single-string group claim")
    func claimMapping() async throws {
        let config = BearerIssuerSettings(issuer: fixture.provider.issuer, audiences: ["registry"],
                                      claims: ClaimNames(username: "email", groups: "email"))
        var claims = fixture.validClaims
        claims.email = "alice@example.test"
        let token = try await fixture.rsaToken(claims)
        let identity = try await authenticator([config]).authenticate(request("bearer  \(token) "))
        #expect(identity?.username == "alice@example.test")
        #expect(identity?.groups == ["alice@example.test"])
        let withoutEmail = try await fixture.rsaToken(fixture.validClaims)
        #expect(await failure(authenticator([config]), "Bearer \(withoutEmail)")?.kind == .invalidCredentials)
    }

    @Test("Requests without a bearer token are left to other authenticators")
    func notBearer() async throws {
        #expect(try await authenticator().authenticate(request("Basic YWxpY2U6c2VjcmV0")) == nil)
        #expect(try await authenticator().authenticate(AuthenticationRequest()) == nil)
    }

    @Test("An invalid bearer token is rejected as invalid credentials without quoting the token")
    func invalidToken() async throws {
        var claims = fixture.validClaims
        claims.exp = fixture.clock.seconds - 3_600
        let token = try await fixture.rsaToken(claims)
        let rejection = await failure(authenticator(), "Bearer \(token)")
        #expect(rejection?.kind == .invalidCredentials)
        #expect(rejection?.appliesFailDelay == true)
        #expect(rejection?.detail.contains("expired") == true)
        #expect(rejection?.detail.contains(token) == false)
        #expect(await failure(authenticator(), "Bearer ")?.kind == .invalidCredentials)
        #expect(await failure(authenticator(), "Bearer not-a-jwt")?.kind == .invalidCredentials)
    }

    @Test("A token naming an issuer that is not configured is rejected without contacting anyone")
    func unknownIssuer() async throws {
        var claims = fixture.validClaims
        claims.iss = "https://other.example.test"
        let rejection = await failure(authenticator(), "Bearer \(try await fixture.rsaToken(claims))")
        #expect(rejection?.kind == .invalidCredentials)
        #expect(rejection?.detail.contains("not an accepted issuer") == true)
        #expect(fixture.provider.requestCount(fixture.provider.discoveryURL) == 0)
    }

    @Test("Each issuer checks its own audiences only")
    func perIssuerAudiences() async throws {
        let second = FakeProvider(issuer: "https://ci.example.test")
        let ciKey = ES256PrivateKey()
        second.publish([TestKeys.ecJWK(ciKey, kid: "ci")])
        let router = RoutingHTTP(providers: [fixture.provider, second])
        let authenticator = authenticator([
            BearerIssuerSettings(issuer: fixture.provider.issuer, audiences: ["registry"]),
            BearerIssuerSettings(issuer: second.issuer, audiences: ["ci-registry"]),
        ], http: router)
        var claims = TestClaims.valid(issuer: second.issuer, audience: "ci-registry", now: fixture.clock.seconds, subject: "pipeline-7")
        let accepted = try await TestKeys.mint(claims, kid: "ci") { await $0.add(ecdsa: ciKey) }
        #expect(try await authenticator.authenticate(request("Bearer \(accepted)"))?.username == second.issuer + "/pipeline-7")
        claims.aud = ["registry"]
        let otherAudience = try await TestKeys.mint(claims, kid: "ci") { await $0.add(ecdsa: ciKey) }
        #expect(await failure(authenticator, "Bearer \(otherAudience)")?.kind == .invalidCredentials)
    }

    @Test("An unreachable issuer makes the request fail as backend unavailable")
    func unreachableIssuer() async throws {
        fixture.provider.setUnreachable(true)
        let rejection = await failure(authenticator(), "Bearer \(try await fixture.rsaToken(fixture.validClaims))")
        #expect(rejection?.kind == .backendUnavailable)
        #expect(rejection?.appliesFailDelay == false)
    }
}

/// Sends each request to the fake provider whose issuer prefixes the URL.
struct RoutingHTTP: OIDCHTTPClient {
    let providers: [FakeProvider]

    private func provider(for url: String) throws -> FakeProvider {
        guard let provider = providers.first(where: { url.hasPrefix($0.issuer + "/") }) else { throw URLError(.badURL) }
        return provider
    }

    func get(_ url: String) async throws -> OIDCHTTPResponse {
        try await provider(for: url).get(url)
    }

    func postForm(_ url: String, fields: [(String, String)], basicAuth: (user: String, password: String)?) async throws -> OIDCHTTPResponse {
        try await provider(for: url).postForm(url, fields: fields, basicAuth: basicAuth)
    }
}
