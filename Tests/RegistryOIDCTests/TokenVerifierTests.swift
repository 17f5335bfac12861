import Foundation
import JWTKit
import Testing
@testable import RegistryOIDC

/// A provider publishing one RSA key (`rsa-1`) and one P-256 key (`ec-1`), and a verifier for audience `registry`.
struct VerifierFixture {
    let provider = FakeProvider()
    let clock = TestClock()
    let rsa: Insecure.RSA.PrivateKey
    let ec = ES256PrivateKey()
    let cache: JWKSKeyCache
    let verifier: OIDCTokenVerifier

    init(rsaAlg: String? = nil) throws {
        rsa = try TestKeys.rsa()
        provider.publish([try TestKeys.rsaJWK(rsa, kid: "rsa-1", alg: rsaAlg), TestKeys.ecJWK(ec, kid: "ec-1")])
        cache = JWKSKeyCache(jwksURI: provider.jwksURL, http: provider, now: clock.function)
        verifier = OIDCTokenVerifier(issuer: provider.issuer, audiences: ["registry"], keys: cache, now: clock.function)
    }

    var validClaims: TestClaims { .valid(issuer: provider.issuer, audience: "registry", now: clock.seconds) }

    func rsaToken(_ claims: TestClaims, kid: String? = "rsa-1") async throws -> String {
        let key = rsa
        return try await TestKeys.mint(claims, kid: kid) { await $0.add(rsa: key, digestAlgorithm: .sha256) }
    }

    func ecToken(_ claims: TestClaims, kid: String? = "ec-1") async throws -> String {
        let key = ec
        return try await TestKeys.mint(claims, kid: kid) { await $0.add(ecdsa: key) }
    }

    /// The error `verify` throws for `token`, or `nil` when it accepts it.
    func rejection(_ token: String, nonce: String? = nil) async -> OIDCError? {
        do {
            _ = try await verifier.verify(token, nonce: nonce)
            return nil
        } catch {
            return error
        }
    }
}

@Suite("OIDC token verification")
struct TokenVerifierTests {
    @Test("A valid RS256 token yields its subject and claims")
    func validRSAToken() async throws {
        let fixture = try VerifierFixture()
        let claims = try await fixture.verifier.verify(try await fixture.rsaToken(fixture.validClaims))
        #expect(claims.subject == "alice")
        #expect(claims.strings("groups") == ["dev", "ops"])
        #expect(claims.string("iss") == fixture.provider.issuer)
    }

    @Test("A valid ES256 token is accepted")
    func validECToken() async throws {
        let fixture = try VerifierFixture()
        let claims = try await fixture.verifier.verify(try await fixture.ecToken(fixture.validClaims))
        #expect(claims.subject == "alice")
    }

    @Test("A token from another issuer is rejected even when signed with a published key")
    func wrongIssuer() async throws {
        let fixture = try VerifierFixture()
        var claims = fixture.validClaims
        claims.iss = "https://evil.example.test"
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .wrongIssuer("https://evil.example.test"))
    }

    @Test("A token whose iss is the configured issuer plus a slash is rejected: the match is exact")
    func issuerTrailingSlash() async throws {
        let fixture = try VerifierFixture()
        var claims = fixture.validClaims
        claims.iss = fixture.provider.issuer + "/"
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .wrongIssuer(fixture.provider.issuer + "/"))
        claims.iss = fixture.provider.issuer + "//"
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .wrongIssuer(fixture.provider.issuer + "//"))
    }

    @Test("A token for another audience is rejected")
    func wrongAudience() async throws {
        let fixture = try VerifierFixture()
        var claims = fixture.validClaims
        claims.aud = ["someone-else", "other"]
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .wrongAudience)
        claims.aud = nil
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .missingClaim("aud"))
    }

    @Test("An expired token is rejected beyond the leeway and accepted within it")
    func expiry() async throws {
        let fixture = try VerifierFixture()
        var claims = fixture.validClaims
        claims.exp = fixture.clock.seconds - 30
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == nil)
        claims.exp = fixture.clock.seconds - 61
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .expired)
        claims.exp = nil
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .missingClaim("exp"))
    }

    @Test("A token whose nbf or iat lies in the future is rejected")
    func notYetValid() async throws {
        let fixture = try VerifierFixture()
        var claims = fixture.validClaims
        claims.nbf = fixture.clock.seconds + 120
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .notYetValid)
        claims.nbf = nil
        claims.iat = fixture.clock.seconds + 120
        #expect(await fixture.rejection(try await fixture.rsaToken(claims)) == .notYetValid)
    }

    @Test("An unsigned token (alg none) is refused before any key is fetched")
    func algNone() async throws {
        let fixture = try VerifierFixture()
        let withKid = try TestKeys.unsigned(header: #"{"alg":"none","kid":"rsa-1"}"#, claims: fixture.validClaims)
        #expect(await fixture.rejection(withKid) == .unsupportedAlgorithm("none"))
        let withSignature = try TestKeys.unsigned(header: #"{"alg":"none"}"#, claims: fixture.validClaims, signature: "AAAA")
        #expect(await fixture.rejection(withSignature) == .unsupportedAlgorithm("none"))
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 0)
    }

    @Test("An HS256 token keyed with the RSA public key's bytes is refused")
    func hmacWithPublicKey() async throws {
        let fixture = try VerifierFixture()
        let publicPEM = fixture.rsa.publicKey.pemRepresentation
        let token = try await TestKeys.mint(fixture.validClaims, kid: "rsa-1") {
            await $0.add(hmac: HMACKey(from: publicPEM), digestAlgorithm: .sha256, kid: JWKIdentifier(string: "rsa-1"))
        }
        #expect(await fixture.rejection(token) == .unsupportedAlgorithm("HS256"))
    }

    @Test("A token algorithm that contradicts the key's alg or type is refused")
    func algorithmPinnedToKey() async throws {
        let fixture = try VerifierFixture(rsaAlg: "RS256")
        let key = fixture.rsa
        let pss = try await TestKeys.mint(fixture.validClaims, kid: "rsa-1") { await $0.add(pss: key, digestAlgorithm: .sha256) }
        guard case .keyAlgorithmMismatch? = await fixture.rejection(pss) else {
            Issue.record("PS256 with an RS256-only key was not refused as a mismatch")
            return
        }
        let ecNamingRSAKey = try await fixture.ecToken(fixture.validClaims, kid: "rsa-1")
        guard case .keyAlgorithmMismatch? = await fixture.rejection(ecNamingRSAKey) else {
            Issue.record("ES256 naming an RSA key was not refused as a mismatch")
            return
        }
    }

    @Test("A token whose payload was altered after signing fails the signature check")
    func tamperedPayload() async throws {
        let fixture = try VerifierFixture()
        let token = try await fixture.rsaToken(fixture.validClaims)
        let parts = token.split(separator: ".")
        var forged = fixture.validClaims
        forged.sub = "admin"
        let forgedPayload = TestKeys.base64URL(try JSONEncoder().encode(forged))
        #expect(await fixture.rejection("\(parts[0]).\(forgedPayload).\(parts[2])") == .badSignature)
    }

    @Test("A token signed by an unpublished key with a published kid fails the signature check")
    func foreignKeySameKid() async throws {
        let fixture = try VerifierFixture()
        let attackerKey = ES256PrivateKey()
        let token = try await TestKeys.mint(fixture.validClaims, kid: "ec-1") { await $0.add(ecdsa: attackerKey) }
        #expect(await fixture.rejection(token) == .badSignature)
    }

    @Test("Without kid, the single key fitting the algorithm is used; with several, the token is refused")
    func missingKid() async throws {
        let fixture = try VerifierFixture()
        #expect(await fixture.rejection(try await fixture.rsaToken(fixture.validClaims, kid: nil)) == nil)
        let other = try VerifierFixture()
        other.provider.publish([try TestKeys.rsaJWK(other.rsa, kid: "a"), try TestKeys.rsaJWK(other.rsa, kid: "b")])
        #expect(await other.rejection(try await other.rsaToken(other.validClaims, kid: nil)) == .unknownKey(kid: nil))
    }

    @Test("Malformed tokens are rejected with a description that never quotes the token")
    func malformedTokens() async throws {
        let fixture = try VerifierFixture()
        for token in ["secret-opaque-token", "a.b", "eyJhbGciOiJSUzI1NiJ9.!!!.sig", "x.y.z.w.v"] {
            let error = await fixture.rejection(token)
            guard case .malformed(let detail)? = error else {
                Issue.record("\(token) was not rejected as malformed: \(String(describing: error))")
                continue
            }
            #expect(!detail.contains(token))
        }
    }

    @Test("The nonce must equal the expected one when one is expected")
    func nonce() async throws {
        let fixture = try VerifierFixture()
        var claims = fixture.validClaims
        claims.nonce = "n-123"
        let token = try await fixture.rsaToken(claims)
        #expect(await fixture.rejection(token, nonce: "n-123") == nil)
        #expect(await fixture.rejection(token, nonce: "n-999") == .nonceMismatch)
        #expect(await fixture.rejection(try await fixture.rsaToken(fixture.validClaims), nonce: "n-123") == .nonceMismatch)
    }
}
