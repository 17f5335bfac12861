/// Unguessable random values for OAuth `state`, OIDC `nonce` and similar.
public enum RandomToken {
    /// `bytes` bytes from the system's secure random generator, base64url-encoded without padding
    /// (32 bytes → 43 characters).
    public static func make(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<max(bytes, 1)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(random)
    }
}
