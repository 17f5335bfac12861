import Crypto
import Foundation
import RegistryCore

/// Signs the built-in token service's registry tokens (ES256, one P-256 key) and publishes the key as a JWKS.
///
/// Tokens follow Distribution's format: `iss`, `sub` (empty for anonymous), `aud` (the service), `exp`, `nbf`,
/// `iat`, a random `jti` and `access` `[{type, name, actions}]`, plus our `groups` (the holder's groups at issuance). The header carries `kid`, the key's RFC 7638
/// thumbprint, so verifiers can pick the key from the JWKS.
public struct RegistryTokenSigner: Sendable {
    /// A signed token and what it says.
    public struct IssuedToken: Sendable {
        /// The compact JWS. A secret: never log it.
        public let token: String
        /// The token's `jti`.
        public let tokenID: String
        /// When it was issued.
        public let issuedAt: Date
        /// Seconds until it expires.
        public let expiresIn: Int
    }

    private let privateKey: P256.Signing.PrivateKey
    /// The `iss` of every token.
    public let issuer: String
    /// The `aud` of every token.
    public let service: String
    /// The key id: the base64url SHA-256 JWK thumbprint (RFC 7638).
    public let keyID: String

    /// Creates a signer with `privateKey`.
    public init(privateKey: P256.Signing.PrivateKey, issuer: String, service: String) {
        self.privateKey = privateKey
        self.issuer = issuer
        self.service = service
        let coordinates = Self.coordinates(privateKey.publicKey)
        let thumbprintInput = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"\(coordinates.x)\",\"y\":\"\(coordinates.y)\"}"
        keyID = Base64URL.encode(SHA256.hash(data: Data(thumbprintInput.utf8)))
    }

    /// The key that verifies this signer's tokens.
    public var verificationKey: RegistryTokenKey { RegistryTokenKey(p256: privateKey.publicKey) }

    /// A verifier for this signer's tokens (same issuer and service).
    public func verifier(leeway: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }) -> RegistryTokenVerifier {
        RegistryTokenVerifier(key: verificationKey, service: service, issuer: issuer, leeway: leeway, readsGroups: true, now: now)
    }

    /// Signs a token for `subject` (`nil`: anonymous) granting `access`, valid for `lifetime` seconds from `now`.
    /// `groups` (our claim, read back only by our own verifier) keeps group-based policy working for the token's holder.
    public func issue(subject: String?, groups: [String] = [], access: [DockerAccess], lifetime: Int, now: Date = Date()) throws -> IssuedToken {
        let issuedAt = Int(now.timeIntervalSince1970)
        let tokenID = RandomToken.make(bytes: 16)
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "sub": .string(subject ?? ""), "aud": .string(service),
            "exp": .number(Double(issuedAt + lifetime)), "nbf": .number(Double(issuedAt)), "iat": .number(Double(issuedAt)),
            "jti": .string(tokenID),
        ]
        if !groups.isEmpty { claims["groups"] = .array(groups.map(JSONValue.string)) }
        claims["access"] = .array(access.map { entry in
            .object(["type": .string(entry.type), "name": .string(entry.name), "actions": .array(entry.actions.map(JSONValue.string))])
        })
        let header: [String: JSONValue] = ["alg": .string("ES256"), "typ": .string("JWT"), "kid": .string(keyID)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let input = Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try encoder.encode(claims))
        let signature = try privateKey.signature(for: Data(input.utf8)).rawRepresentation
        return IssuedToken(token: input + "." + Base64URL.encode(signature), tokenID: tokenID,
                           issuedAt: Date(timeIntervalSince1970: Double(issuedAt)), expiresIn: lifetime)
    }

    /// The JWKS document (`/.well-known/jwks.json`) publishing the public key.
    public var jwksJSON: String {
        let coordinates = Self.coordinates(privateKey.publicKey)
        return "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\",\"alg\":\"ES256\",\"kid\":\"\(keyID)\","
            + "\"x\":\"\(coordinates.x)\",\"y\":\"\(coordinates.y)\"}]}"
    }

    private static func coordinates(_ key: P256.Signing.PublicKey) -> (x: String, y: String) {
        let raw = Array(key.rawRepresentation)  // x ‖ y, 32 bytes each
        return (Base64URL.encode(raw[0..<32]), Base64URL.encode(raw[32..<64]))
    }
}
