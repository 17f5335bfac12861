/// The JWS signature algorithms we accept: asymmetric only. `none` and every `HS*` are refused outright, so a
/// public key can never be misused as an HMAC secret.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"
    case eddsa = "EdDSA"

    /// The JWK `kty` a key for this algorithm must have.
    public var keyType: String {
        switch self {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: "RSA"
        case .es256, .es384, .es512: "EC"
        case .eddsa: "OKP"
        }
    }

    /// The JWK `crv` a key for this algorithm must have (`nil` for RSA).
    public var curve: String? {
        switch self {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: nil
        case .es256: "P-256"
        case .es384: "P-384"
        case .es512: "P-521"
        case .eddsa: "Ed25519"
        }
    }

    /// The algorithms a key of type `keyType` (and curve `curve`) can verify.
    static func compatible(keyType: String, curve: String?) -> [JWSAlgorithm] {
        allCases.filter { $0.keyType == keyType && $0.curve == curve }
    }
}
