import Crypto

/// A Proof Key for Code Exchange pair (RFC 7636) using the `S256` method.
public struct PKCE: Sendable, Hashable {
    /// The secret sent to the token endpoint (43 base64url characters); keep it server-side until then.
    public let verifier: String
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization request.
    public let challenge: String
    /// Always `S256`.
    public var method: String { "S256" }

    /// Creates a pair from a known verifier (43–128 characters of `[A-Za-z0-9-._~]`).
    public init(verifier: String) {
        self.verifier = verifier
        self.challenge = Base64URL.encode(SHA256.hash(data: Array(verifier.utf8)))
    }

    /// A new pair with a fresh 256-bit random verifier.
    public static func generate() -> PKCE {
        PKCE(verifier: RandomToken.make(bytes: 32))
    }
}
