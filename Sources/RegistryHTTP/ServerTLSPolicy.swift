import NIOSSL

/// The protocol floor and cipher suites of the HTTPS listener (the same as Zot's).
///
/// TLS 1.0 and 1.1 are refused (RFC 8996); TLS 1.2 is limited to forward-secret AEAD suites (ECDHE with AES-GCM or
/// ChaCha20-Poly1305). TLS 1.3 is always offered, with BoringSSL's fixed suite list. Zot's config has no key for
/// the minimum version, so neither has ours.
public enum ServerTLSPolicy {
    /// The lowest protocol version a client may negotiate.
    public static let minimumVersion: TLSVersion = .tlsv12

    /// The TLS 1.2 cipher suites, in preference order (OpenSSL names).
    public static let cipherSuites = [
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// Applies the floor and the suites to a server configuration.
    public static func apply(to configuration: inout TLSConfiguration) {
        configuration.minimumTLSVersion = minimumVersion
        configuration.cipherSuites = cipherSuites
    }
}
