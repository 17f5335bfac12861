import Crypto
import Foundation
import X509
import _CryptoExtras

/// The public key that verifies registry tokens from a token server (`http.auth.bearer.cert`), with the one
/// signature algorithm it may be used with, pinned by key type: RSA (2048 bits or more) → RS256, P-256 → ES256,
/// Ed25519 → EdDSA. A token whose header names any other algorithm is refused, so a public key can never be
/// misused as an HMAC secret or with a weaker scheme.
public struct RegistryTokenKey: Sendable {
    private enum Material: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    /// The only algorithm tokens signed by this key may name.
    public let algorithm: JWSAlgorithm
    private let material: Material

    /// Reads the first `CERTIFICATE` or `PUBLIC KEY` block of `pem`; throws a reason naming what is wrong.
    public init(pem: String) throws(RegistryTokenKeyError) {
        let blocks = Self.pemBlocks(pem)
        guard let block = blocks.first(where: { $0.label == "CERTIFICATE" || $0.label == "PUBLIC KEY" }) else {
            let found = blocks.isEmpty ? "no PEM block" : "only " + blocks.map(\.label).joined(separator: ", ")
            throw RegistryTokenKeyError("no CERTIFICATE or PUBLIC KEY block (\(found))")
        }
        let publicKey: Certificate.PublicKey
        do {
            publicKey = block.label == "CERTIFICATE" ? try Certificate(pemEncoded: block.text).publicKey
                : try Certificate.PublicKey(pemEncoded: block.text)
        } catch {
            throw RegistryTokenKeyError("the \(block.label) block cannot be parsed (\(error))")
        }
        try self.init(publicKey)
    }

    /// The `-----BEGIN L-----` … `-----END L-----` blocks of `text`, in order.
    static func pemBlocks(_ text: String) -> [(label: String, text: String)] {
        var blocks: [(label: String, text: String)] = []
        var rest = Substring(text)
        while let begin = rest.range(of: "-----BEGIN ") {
            guard let labelEnd = rest[begin.upperBound...].range(of: "-----") else { break }
            let label = String(rest[begin.upperBound..<labelEnd.lowerBound])
            guard let end = rest[labelEnd.upperBound...].range(of: "-----END \(label)-----") else { break }
            blocks.append((label, String(rest[begin.lowerBound..<end.upperBound])))
            rest = rest[end.upperBound...]
        }
        return blocks
    }

    /// Uses `publicKey` with the algorithm pinned to its type.
    public init(_ publicKey: Certificate.PublicKey) throws(RegistryTokenKeyError) {
        if let rsa = _RSA.Signing.PublicKey(publicKey) {
            guard rsa.keySizeInBits >= 2048 else { throw RegistryTokenKeyError("the RSA key has \(rsa.keySizeInBits) bits; at least 2048 are required") }
            material = .rsa(rsa)
            algorithm = .rs256
        } else if let p256 = P256.Signing.PublicKey(publicKey) {
            material = .p256(p256)
            algorithm = .es256
        } else if let ed25519 = Curve25519.Signing.PublicKey(publicKey) {
            material = .ed25519(ed25519)
            algorithm = .eddsa
        } else {
            throw RegistryTokenKeyError("the key is not RSA, P-256 or Ed25519 (the types with a pinned algorithm: RS256, ES256, EdDSA)")
        }
    }

    /// Uses our own P-256 signing key's public half (the built-in token service).
    public init(p256 key: P256.Signing.PublicKey) {
        material = .p256(key)
        algorithm = .es256
    }

    /// Whether `signature` (JWS form: raw `r‖s` for ECDSA) signs `signingInput` under this key and its algorithm.
    public func isValid(signature: [UInt8], signingInput: [UInt8]) -> Bool {
        switch material {
        case .rsa(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signingInput),
                                        padding: .insecurePKCS1v1_5)
        case .p256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: signingInput)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: signingInput)
        }
    }
}

/// Why a token-verification key cannot be used.
public struct RegistryTokenKeyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
