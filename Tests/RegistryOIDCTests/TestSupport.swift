import Foundation
import JWTKit
import Synchronization
@testable import RegistryOIDC

/// A fixed clock for tests: 2030-01-01T00:00:00Z, movable.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_893_456_000))
    var now: Date { current.withLock { $0 } }
    var seconds: Double { now.timeIntervalSince1970 }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
    var function: @Sendable () -> Date { { [self] in self.now } }
}

/// Claims a test token carries; `nil` members are left out.
struct TestClaims: JWTPayload {
    var iss: String?
    var sub: String?
    var aud: [String]?
    var exp: Double?
    var nbf: Double?
    var iat: Double?
    var nonce: String?
    var groups: [String]?
    var email: String?
    var email_verified: Bool?
    var azp: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Valid claims for `issuer` and `audience` around `now`.
    static func valid(issuer: String, audience: String, now: Double, subject: String = "alice") -> TestClaims {
        TestClaims(iss: issuer, sub: subject, aud: [audience], exp: now + 300, nbf: now - 10, iat: now - 10, groups: ["dev", "ops"])
    }
}

/// Signing keys for tests and their published JWK form.
enum TestKeys {
    /// A 2048-bit RSA key generated for these tests only.
    static let rsaPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCzWOyDiKI6HRZC
dcV6pZ1OFYsQY2VBk1G9/yNLxaDIOv4YIoI4PztHZHwwuBUf0aH4Ti1+LCc8vSoW
yHefwGxkOGJB64ciO1UqD9Do0UZUl9thTgSK6DvJyJencTDhkJJT3rb9FVQlJGmz
0T9TI6S2/RAVtRJix1UMrcN6wMOWz3L9bCvd9YULPFxV/23BsP+qpkdBF/GmiYsW
PIXAJb6TuNdwKVFH73y2kifXrt9i7gMJpumXVFoYWOeTlia6NuONV8Mpzn62B1lW
QYI8N3UroamEGCq8YCc0MIhlq+FzrcKnLMpRfWVv70Fq9RLot1cP1SAiw6ty7ND0
rOvznXMBAgMBAAECggEAAmtd5AyXfQs+1LlrbCHZs7rABCRoWeBw1Tilw04M4HYA
9lGUZT/kWfZWWgP6BXAJ0URquDFYGSlp4wlyxudx14AxJNUqMpPFmPBzkOvalA03
2RWPNyq7MqukerXXBYdZ2HP953Wehq/5sv20PbMXh5PiB2ChNEULFfa4NLIp+esc
/WoHsPvm1P9qyz35FYfn0rWkBfzqBxeTGAhSgcCAPXLP5Hsfv5IqZqJYvnVGkj4H
l2YXAEWc+SOMMya0YEJn7JhF0Pw2MTCDmJhnjYuoQTQfAJ7XyrSkIzewc/0wkLeA
k1XaHe8PlviDeszIHmTOYt4ky9cMmnt1JOSKFf0RTQKBgQDf6cd6V0MLiUOBpOXA
JB069mbZr3SF4rM8N96SjaBNFzl8rzNyd4HExrKtEHm4r/uLVoVboLdCfxmnRorl
FyIJ0sylcmxYrjTTcdiD87BWylQkBWPanKQ+5O75/O4Po1nZU2r7M5oS7cy1Uy6L
TOZTz7X210/5wMCIfLZ0UbGJHQKBgQDNDED1i/XVjlnfgckaN3LYYKze0o6hF7Je
8+tFt68MO4POIxPzppKrAPJXiTrx7UUkE4N9GPGVkBBtjdxpd7uP9nWArsh5TAEj
PLLEJtJ5PKAxW4i1lC9U9r1MxZrRKsStfwuQ+pDRf+fNjHn9/nTBqLYkbVBoAp6z
fmLCHp9QNQKBgQCxms5F5Rdh/COWnsQ6Dqs8zJsyCbCkTfgbSLl7h2jiHQzVMGbf
YZmGCpFJIutZqgUdNaib0DPsQ8KGYzbileHC5vi6NrNn9+4g1YmGyHFTtjLdS4Uz
rtG8rXw8v/nYX5px/m+6BuksIIEiRnOBvKJpUjUkMQ7XrKNK35kdVHs8pQKBgBVZ
uUnYEPjzoZgMQ4xfSa4OIvHwqrlLZl9MtqrDvY5ghBDqxiEQryTvLEzBFUorko93
GLHl7wHLxmoh41l4BievWfzUNjurFlM89sBF6pSFI4kAJvQBQgxuxLdBvCUbdu85
01J9RKcL0m8suWchH7cqggy49S5fV3cJKe9ckOohAoGABnaZoMXH/+Qy5Jm9NDcK
wZnDdl+Yvlqiz+TL6VDnbavz8bA+VcikwibnTjB1UapWP363Ma8Euq2+dNBCfGP0
DNsutCjImCg0FDjikt/YaiFuGBYPYkqEtpJUz3rCH6AIEDRR+JPeXArsIu4by06M
ut7knuukOXBEz88GcA9xEak=
-----END PRIVATE KEY-----
"""

    static func rsa() throws -> Insecure.RSA.PrivateKey {
        try Insecure.RSA.PrivateKey(pem: rsaPEM)
    }

    static func rsaJWK(_ key: Insecure.RSA.PrivateKey, kid: String?, alg: String? = nil, use: String? = nil) throws -> JSONValue {
        let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
        var jwk: [String: JSONValue] = ["kty": .string("RSA"), "n": .string(base64URL(modulus)), "e": .string(base64URL(exponent))]
        if let kid { jwk["kid"] = .string(kid) }
        if let alg { jwk["alg"] = .string(alg) }
        if let use { jwk["use"] = .string(use) }
        return .object(jwk)
    }

    static func ecJWK(_ key: ES256PrivateKey, kid: String?) -> JSONValue {
        let parameters = key.publicKey.parameters!
        var jwk: [String: JSONValue] = ["kty": .string("EC"), "crv": .string("P-256"), "x": .string(parameters.x), "y": .string(parameters.y)]
        if let kid { jwk["kid"] = .string(kid) }
        return .object(jwk)
    }

    static func base64URL(_ data: some Sequence<UInt8>) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Signs `claims` with a collection holding only `add`'s key, putting `kid` in the header when given.
    static func mint(_ claims: TestClaims, kid: String?, add: (JWTKeyCollection) async -> Void) async throws -> String {
        let collection = JWTKeyCollection()
        await add(collection)
        return try await collection.sign(claims, kid: kid.map { JWKIdentifier(string: $0) })
    }

    /// A token with the given raw header and claims and a signature of arbitrary bytes.
    static func unsigned(header: String, claims: TestClaims, signature: String = "") throws -> String {
        let payload = try JSONEncoder().encode(claims)
        return base64URL(Array(header.utf8)) + "." + base64URL(payload) + "." + signature
    }
}

/// An identity provider in memory: discovery, JWKS and token endpoint, counting requests.
final class FakeProvider: OIDCHTTPClient {
    struct TokenRequest: Sendable {
        var fields: [String: String]
        var basicAuth: String?
    }

    private struct State: Sendable {
        var keys: [JSONValue] = []
        var requests: [String] = []
        var tokenAnswer = OIDCHTTPResponse(status: 500, body: [])
        var tokenRequests: [TokenRequest] = []
        var unreachable = false
        var advertisedIssuer: String?
    }

    let issuer: String
    private let state = Mutex(State())

    init(issuer: String = "https://idp.example.test") {
        self.issuer = issuer
    }

    var discoveryURL: String { issuer + "/.well-known/openid-configuration" }
    var jwksURL: String { issuer + "/jwks" }
    var tokenURL: String { issuer + "/token" }
    var authorizeURL: String { issuer + "/authorize" }

    func publish(_ keys: [JSONValue]) { state.withLock { $0.keys = keys } }
    func answerToken(status: Int, json: String) { state.withLock { $0.tokenAnswer = OIDCHTTPResponse(status: status, body: Array(json.utf8)) } }
    /// Makes the discovery document claim `issuer` instead of the real one.
    func advertiseIssuer(_ issuer: String) { state.withLock { $0.advertisedIssuer = issuer } }
    func setUnreachable(_ value: Bool) { state.withLock { $0.unreachable = value } }
    func requestCount(_ url: String) -> Int { state.withLock { $0.requests.filter { $0 == url }.count } }
    var tokenRequests: [TokenRequest] { state.withLock { $0.tokenRequests } }

    func get(_ url: String) async throws -> OIDCHTTPResponse {
        let snapshot = state.withLock { current in
            current.requests.append(url)
            return current
        }
        if snapshot.unreachable { throw URLError(.cannotConnectToHost) }
        switch url {
        case discoveryURL:
            let document = """
            {"issuer":"\(snapshot.advertisedIssuer ?? issuer)","authorization_endpoint":"\(authorizeURL)","token_endpoint":"\(tokenURL)",
             "jwks_uri":"\(jwksURL)","response_types_supported":["code"]}
            """
            return OIDCHTTPResponse(status: 200, body: Array(document.utf8))
        case jwksURL:
            let body = try JSONEncoder().encode(JSONValue.object(["keys": .array(snapshot.keys)]))
            return OIDCHTTPResponse(status: 200, body: Array(body))
        default:
            return OIDCHTTPResponse(status: 404, body: [])
        }
    }

    func postForm(_ url: String, fields: [(String, String)], basicAuth: (user: String, password: String)?) async throws -> OIDCHTTPResponse {
        try state.withLock { current in
            current.requests.append(url)
            if current.unreachable { throw URLError(.cannotConnectToHost) }
            guard url == tokenURL else { return OIDCHTTPResponse(status: 404, body: []) }
            let request = TokenRequest(fields: Dictionary(fields, uniquingKeysWith: { first, _ in first }),
                                       basicAuth: basicAuth.map { "\($0.user):\($0.password)" })
            current.tokenRequests.append(request)
            return current.tokenAnswer
        }
    }
}
