import Foundation
import JWTKit
import enum _CryptoExtras._RSA
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
    /// A 2048-bit RSA key made once per test run (no private key is committed).
    static let rsaPEM: String = {
        // A fresh key cannot fail to generate or to round-trip through PEM.
        try! _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
    }()

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
