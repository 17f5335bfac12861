/// A JWT in JWS compact serialization, split and decoded but **not verified**.
struct CompactJWS: Sendable {
    /// The largest token accepted (bytes); real ID and access tokens are a few KiB.
    static let maximumLength = 16 * 1024

    /// The decoded protected header.
    let header: [String: JSONValue]
    /// The decoded claims.
    let claims: [String: JSONValue]
    /// `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers.
    let signingInput: [UInt8]
    /// The raw signature bytes.
    let signature: [UInt8]

    /// The header's `alg`.
    var algorithmName: String? { header["alg"]?.stringValue }
    /// The header's `kid`.
    var keyID: String? { header["kid"]?.stringValue }

    /// Splits and decodes `token`; the errors never quote the token.
    init(_ token: String) throws(OIDCError) {
        guard token.utf8.count <= Self.maximumLength else {
            throw .malformed("token is longer than \(Self.maximumLength) bytes")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed(parts.count == 5 ? "token is encrypted (JWE), not signed" : "token does not have three dot-separated parts")
        }
        guard let headerBytes = Base64URL.decode(parts[0]), let header = JSONValue.decodeObject(headerBytes) else {
            throw .malformed("header is not base64url-encoded JSON object")
        }
        guard let payloadBytes = Base64URL.decode(parts[1]), let claims = JSONValue.decodeObject(payloadBytes) else {
            throw .malformed("payload is not a base64url-encoded JSON object")
        }
        guard let signature = Base64URL.decode(parts[2]) else {
            throw .malformed("signature is not base64url")
        }
        self.header = header
        self.claims = claims
        self.signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.signature = signature
    }
}
