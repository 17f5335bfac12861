import Foundation
import JWTKit
import Testing
@testable import RegistryOIDC

@Suite("JWKS key cache")
struct JWKSKeyCacheTests {
    @Test("Keys are fetched lazily and once while they are fresh")
    func lazyFetch() async throws {
        let fixture = try VerifierFixture()
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 0)
        for _ in 0..<3 { _ = try await fixture.verifier.verify(try await fixture.rsaToken(fixture.validClaims)) }
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 1)
    }

    @Test("After key rotation a token with the new kid causes one refetch and is accepted")
    func rotation() async throws {
        let fixture = try VerifierFixture()
        _ = try await fixture.verifier.verify(try await fixture.rsaToken(fixture.validClaims))
        let rotated = ES256PrivateKey()
        fixture.provider.publish([TestKeys.ecJWK(rotated, kid: "ec-2")])
        fixture.clock.advance(by: 30)
        let token = try await TestKeys.mint(fixture.validClaims, kid: "ec-2") { await $0.add(ecdsa: rotated) }
        let claims = try await fixture.verifier.verify(token)
        #expect(claims.subject == "alice")
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 2)
        // The old key is gone from the refreshed set.
        #expect(await fixture.rejection(try await fixture.rsaToken(fixture.validClaims)) != nil)
    }

    @Test("A flood of unknown kids refetches at most once per minimum refresh interval")
    func unknownKidFlood() async throws {
        let fixture = try VerifierFixture()
        _ = try await fixture.verifier.verify(try await fixture.rsaToken(fixture.validClaims))
        fixture.clock.advance(by: 30)
        let tokens = try await (0..<25).asyncMap { index in try await fixture.rsaToken(fixture.validClaims, kid: "made-up-\(index)") }
        let rejections = await withTaskGroup(of: OIDCError?.self) { group in
            for token in tokens { group.addTask { await fixture.rejection(token) } }
            return await group.reduce(into: [OIDCError?]()) { $0.append($1) }
        }
        #expect(rejections.allSatisfy { if case .unknownKey? = $0 { true } else { false } })
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 2)
        fixture.clock.advance(by: 1)
        _ = await fixture.rejection(try await fixture.rsaToken(fixture.validClaims, kid: "still-unknown"))
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 2)
        fixture.clock.advance(by: 1.5)
        _ = await fixture.rejection(try await fixture.rsaToken(fixture.validClaims, kid: "still-unknown"))
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 3)
    }

    @Test("A key set older than the maximum age is fetched again")
    func maximumAge() async throws {
        let fixture = try VerifierFixture()
        _ = try await fixture.cache.keys(for: "rsa-1")
        fixture.clock.advance(by: 3_599)
        _ = try await fixture.cache.keys(for: "rsa-1")
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 1)
        fixture.clock.advance(by: 2)
        _ = try await fixture.cache.keys(for: "rsa-1")
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 2)
    }

    @Test("Cached keys keep working while the provider is unreachable")
    func staleKeysWhenUnreachable() async throws {
        let fixture = try VerifierFixture()
        _ = try await fixture.cache.keys(for: nil)
        fixture.provider.setUnreachable(true)
        fixture.clock.advance(by: 4_000)
        #expect(await fixture.rejection(try await fixture.rsaToken(fixture.validClaims)) == nil)
    }

    @Test("An unreachable provider on first use is reported as unreachable, then not retried at once")
    func unreachableFirstUse() async throws {
        let fixture = try VerifierFixture()
        fixture.provider.setUnreachable(true)
        guard case .unreachable? = await fixture.rejection(try await fixture.rsaToken(fixture.validClaims)) else {
            Issue.record("unreachable JWKS not reported as unreachable")
            return
        }
        guard case .unreachable? = await fixture.rejection(try await fixture.rsaToken(fixture.validClaims)) else {
            Issue.record("remembered failure not reported")
            return
        }
        #expect(fixture.provider.requestCount(fixture.provider.jwksURL) == 1)
    }

    @Test("Symmetric, encryption and weak keys are never used; a set of only such keys is an error")
    func unusableKeys() async throws {
        let provider = FakeProvider()
        let rsa = try TestKeys.rsa()
        provider.publish([
            .object(["kty": .string("oct"), "kid": .string("hmac"), "k": .string("c2VjcmV0")]),
            try TestKeys.rsaJWK(rsa, kid: "enc", use: "enc"),
            .object(["kty": .string("RSA"), "kid": .string("weak"), "n": .string("AQAB"), "e": .string("AQAB")]),
            .object(["kty": .string("EC"), "kid": .string("k1"), "crv": .string("secp256k1"), "x": .string("AA"), "y": .string("AA")]),
        ])
        let cache = JWKSKeyCache(jwksURI: provider.jwksURL, http: provider)
        do {
            _ = try await cache.keys(for: nil)
            Issue.record("a key set without usable keys was accepted")
        } catch {
            guard case .keySet = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
    }

    @Test("A JWK's own alg narrows the algorithms it may verify")
    func declaredAlgorithm() async throws {
        let provider = FakeProvider()
        provider.publish([try TestKeys.rsaJWK(try TestKeys.rsa(), kid: "r", alg: "PS384")])
        let keys = try await JWKSKeyCache(jwksURI: provider.jwksURL, http: provider).keys(for: "r")
        #expect(keys.map(\.algorithms) == [[.ps384]])
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
