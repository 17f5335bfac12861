import Crypto
import Foundation
import Testing
import X509
import _CryptoExtras
import RegistryAuthCore
import RegistryCore
@testable import RegistryOIDC

/// Signs Docker-format registry tokens for tests.
enum RegistryTokenMinter {
    enum Signer {
        case p256(P256.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    static func token(_ claims: [String: Any], signer: Signer, alg: String? = nil) throws -> String {
        let natural: String = switch signer {
        case .p256: "ES256"
        case .rsa: "RS256"
        case .ed25519: "EdDSA"
        }
        let algorithm = alg ?? natural
        let header = try JSONSerialization.data(withJSONObject: ["alg": algorithm, "typ": "JWT", "kid": "test"], options: [.sortedKeys])
        let payload = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature: [UInt8] = switch signer {
        case .p256(let key): Array(try key.signature(for: Data(input.utf8)).rawRepresentation)
        case .rsa(let key): Array(try key.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .ed25519(let key): Array(try key.signature(for: Data(input.utf8)))
        }
        return input + "." + Base64URL.encode(signature)
    }

    static func claims(now: Double, sub: String = "alice", aud: Any = "registry.test", iss: String = "token-server",
                       access: [[String: Any]] = [["type": "repository", "name": "team/app", "actions": ["pull", "push"]]]) -> [String: Any] {
        ["iss": iss, "sub": sub, "aud": aud, "exp": now + 300, "nbf": now - 5, "iat": now - 5, "jti": "t-1", "access": access]
    }
}

@Suite("Registry tokens from a token server are verified with the pinned key and mapped to scoped identities")
struct RegistryTokenVerifierTests {
    let clock = TestClock()
    let p256 = P256.Signing.PrivateKey()

    func verifier(_ key: RegistryTokenKey, issuer: String? = "token-server") -> RegistryTokenVerifier {
        RegistryTokenVerifier(key: key, service: "registry.test", issuer: issuer, leeway: .seconds(30), now: clock.function)
    }

    var p256Key: RegistryTokenKey { get throws { try RegistryTokenKey(pem: p256.publicKey.pemRepresentation) } }

    @Test("An ES256 token with the right issuer, audience and times verifies and carries its access")
    func validToken() throws {
        let token = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds), signer: .p256(p256))
        let claims = try verifier(try p256Key).verify(token)
        #expect(claims.subject == "alice")
        #expect(claims.tokenID == "t-1")
        #expect(claims.access == [DockerAccess(type: "repository", name: "team/app", actions: ["pull", "push"])])
        let identity = RegistryTokenAuthenticator.identity(claims)
        #expect(identity.username == "alice")
        #expect(identity.method == .registryToken)
        #expect(identity.scopes == [AccessScope(repositories: "team/app", actions: [.read, .create, .update])])
    }

    @Test("RSA and Ed25519 public keys pin RS256 and EdDSA, and a certificate's key is used the same way")
    func keyTypes() throws {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let rsaKey = try RegistryTokenKey(pem: rsa.publicKey.pemRepresentation)
        #expect(rsaKey.algorithm == .rs256)
        let rsaToken = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds), signer: .rsa(rsa))
        #expect(try verifier(rsaKey).verify(rsaToken).subject == "alice")

        let ed = Curve25519.Signing.PrivateKey()
        let edPEM = try Certificate.PublicKey(ed.publicKey).serializeAsPEM().pemString
        let edKey = try RegistryTokenKey(pem: edPEM)
        #expect(edKey.algorithm == .eddsa)
        let edToken = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds), signer: .ed25519(ed))
        #expect(try verifier(edKey).verify(edToken).subject == "alice")

        let name = try DistinguishedName { CommonName("token-server") }
        let certificate = try Certificate(version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(p256.publicKey),
                                          notValidBefore: Date(timeIntervalSince1970: 0), notValidAfter: Date(timeIntervalSince1970: 4_000_000_000),
                                          issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(),
                                          issuerPrivateKey: Certificate.PrivateKey(p256))
        let certificatePEM = try certificate.serializeAsPEM().pemString
        let fromCertificate = try RegistryTokenKey(pem: certificatePEM)
        #expect(fromCertificate.algorithm == .es256)
        let token = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds), signer: .p256(p256))
        #expect(try verifier(fromCertificate).verify(token).subject == "alice")
    }

    @Test("A token naming another algorithm than the key's is refused, whatever its signature")
    func algorithmPinned() throws {
        let token = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds), signer: .p256(p256), alg: "ES384")
        #expect(throws: OIDCError.self) { try verifier(try p256Key).verify(token) }
        let hmac = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds), signer: .p256(p256), alg: "HS256")
        #expect(throws: OIDCError.self) { try verifier(try p256Key).verify(hmac) }
    }

    @Test("A token signed by another key is refused")
    func wrongKey() throws {
        let token = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds), signer: .p256(P256.Signing.PrivateKey()))
        #expect(throws: OIDCError.badSignature) { try verifier(try p256Key).verify(token) }
    }

    @Test("Issuer and audience must match; a token for another service is not ours to judge")
    func issuerAndAudience() throws {
        let otherIssuer = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds, iss: "elsewhere"), signer: .p256(p256))
        #expect(throws: OIDCError.self) { try verifier(try p256Key).verify(otherIssuer) }
        #expect(try verifier(try p256Key, issuer: nil).verify(otherIssuer).subject == "alice")
        let otherService = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds, aud: ["other"]), signer: .p256(p256))
        #expect(throws: OIDCError.wrongAudience) { try verifier(try p256Key).verify(otherService) }
        #expect(!verifier(try p256Key).isAddressedToUs(otherService))
        let listed = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds, aud: ["other", "registry.test"]), signer: .p256(p256))
        #expect(verifier(try p256Key).isAddressedToUs(listed))
        #expect(try verifier(try p256Key).verify(listed).subject == "alice")
    }

    @Test("exp is required; exp and nbf are honoured with the leeway and no more")
    func validityPeriod() throws {
        var claims = RegistryTokenMinter.claims(now: clock.seconds)
        claims["exp"] = clock.seconds - 20
        #expect(try verifier(try p256Key).verify(try RegistryTokenMinter.token(claims, signer: .p256(p256))).subject == "alice")
        claims["exp"] = clock.seconds - 40
        #expect(throws: OIDCError.expired) { try verifier(try p256Key).verify(try RegistryTokenMinter.token(claims, signer: .p256(p256))) }
        claims["exp"] = nil
        #expect(throws: OIDCError.missingClaim("exp")) { try verifier(try p256Key).verify(try RegistryTokenMinter.token(claims, signer: .p256(p256))) }
        claims["exp"] = clock.seconds + 300
        claims["nbf"] = clock.seconds + 60
        #expect(throws: OIDCError.notYetValid) { try verifier(try p256Key).verify(try RegistryTokenMinter.token(claims, signer: .p256(p256))) }
    }

    @Test("An empty subject is an anonymous token, and a malformed access claim is refused")
    func subjectAndAccess() throws {
        let anonymous = try RegistryTokenMinter.token(RegistryTokenMinter.claims(now: clock.seconds, sub: ""), signer: .p256(p256))
        let identity = RegistryTokenAuthenticator.identity(try verifier(try p256Key).verify(anonymous))
        #expect(identity.isAnonymous && identity.presentedCredential)
        var claims = RegistryTokenMinter.claims(now: clock.seconds)
        claims["access"] = ["repository:team/app:pull"]
        #expect(throws: OIDCError.self) { try verifier(try p256Key).verify(try RegistryTokenMinter.token(claims, signer: .p256(p256))) }
    }

    @Test("Keys without a pinned algorithm and short RSA keys are refused")
    func unsupportedKeys() throws {
        #expect(throws: RegistryTokenKeyError.self) { try RegistryTokenKey(pem: P384.Signing.PrivateKey().publicKey.pemRepresentation) }
        #expect(throws: RegistryTokenKeyError.self) {
            try RegistryTokenKey(pem: try _RSA.Signing.PrivateKey(unsafeKeySize: _RSA.Signing.KeySize(bitCount: 1024)).publicKey.pemRepresentation)
        }
        #expect(throws: RegistryTokenKeyError.self) { try RegistryTokenKey(pem: "not a pem") }
        #expect(throws: RegistryTokenKeyError.self) { try RegistryTokenKey(pem: p256.pemRepresentation) }
    }

    @Test("A verified token is remembered until its exp, never past it, and only the exact token hits the cache")
    func verifiedTokenCache() async throws {
        let authenticator = RegistryTokenAuthenticator(verifier: verifier(try p256Key), now: clock.function)
        var claims = RegistryTokenMinter.claims(now: clock.seconds)
        claims["exp"] = clock.seconds + 60
        let token = try RegistryTokenMinter.token(claims, signer: .p256(p256))
        let request = AuthenticationRequest(authorizationHeaders: ["Bearer " + token])
        #expect(try await authenticator.authenticate(request)?.username == "alice")
        #expect(authenticator.cachedTokenCount == 1)
        #expect(try await authenticator.authenticate(request)?.username == "alice")
        let tampered = AuthenticationRequest(authorizationHeaders: ["Bearer " + token.dropLast(2) + "AA"])
        await #expect(throws: AuthenticationFailure.self) { try await authenticator.authenticate(tampered) }
        clock.advance(by: 61)
        // Past exp the cache no longer answers; the verifier's leeway (30 s) still accepts it until exp + 30 s.
        #expect(try await authenticator.authenticate(request)?.username == "alice")
        clock.advance(by: 30)
        await #expect(throws: AuthenticationFailure.self) { try await authenticator.authenticate(request) }
    }
}
