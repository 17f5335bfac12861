/// Why an OpenID Connect operation failed.
///
/// Descriptions are meant for logs: they may quote a token's issuer, key id or algorithm (truncated), but never
/// the token, a signature, a client secret or an authorization code.
public enum OIDCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token is not a well-formed compact JWS with JSON header and claims.
    case malformed(String)
    /// The header names an algorithm we refuse (`none`, any `HS*`, anything not asymmetric and known).
    case unsupportedAlgorithm(String)
    /// The token's algorithm does not fit the key it selects (key type, curve or the key's own `alg`).
    case keyAlgorithmMismatch(String)
    /// No published key matches the token (`kid` unknown even after a refresh, or no `kid` and no single fit).
    case unknownKey(kid: String?)
    /// The signature does not verify with the selected key.
    case badSignature
    /// The token's `iss` is not the expected issuer (the value is the token's, truncated).
    case wrongIssuer(String)
    /// None of the token's `aud` values is an accepted audience.
    case wrongAudience
    /// `exp` lies in the past (beyond the leeway).
    case expired
    /// `nbf` or `iat` lies in the future (beyond the leeway).
    case notYetValid
    /// A required claim is absent or has the wrong type.
    case missingClaim(String)
    /// The ID token's `nonce` differs from the one sent in the authorization request.
    case nonceMismatch
    /// The provider's discovery document could not be fetched or is invalid.
    case discovery(String)
    /// The provider's key set (JWKS) could not be fetched or holds no usable key.
    case keySet(String)
    /// The token endpoint refused the code exchange (HTTP status and the OAuth `error`, if any).
    case tokenEndpoint(status: Int, String)
    /// The provider could not be reached (connection, TLS, timeout, oversized answer).
    case unreachable(String)
    /// The relying party or authenticator is misconfigured (no issuer, no client id, …).
    case configuration(String)

    /// Whether the failure lies with the identity provider (unreachable or broken) rather than the token.
    public var isProviderFailure: Bool {
        switch self {
        case .discovery, .keySet, .unreachable, .configuration: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .malformed(let detail): "malformed token: \(detail)"
        case .unsupportedAlgorithm(let alg): "token algorithm '\(alg)' is not accepted"
        case .keyAlgorithmMismatch(let detail): "token algorithm does not fit its key: \(detail)"
        case .unknownKey(let kid): kid.map { "no published key has kid '\($0)'" } ?? "token has no kid and no single published key fits"
        case .badSignature: "token signature is invalid"
        case .wrongIssuer(let issuer): "token issuer '\(issuer)' is not the expected issuer"
        case .wrongAudience: "token audience does not include an accepted audience"
        case .expired: "token has expired"
        case .notYetValid: "token is not valid yet"
        case .missingClaim(let name): "token claim '\(name)' is missing or has the wrong type"
        case .nonceMismatch: "ID token nonce does not match the login request"
        case .discovery(let detail): "OpenID discovery failed: \(detail)"
        case .keySet(let detail): "JWKS unusable: \(detail)"
        case .tokenEndpoint(let status, let detail): "token endpoint answered \(status): \(detail)"
        case .unreachable(let detail): "identity provider unreachable: \(detail)"
        case .configuration(let detail): "OpenID configuration: \(detail)"
        }
    }

    /// `text` shortened to `limit` characters with control characters replaced, for quoting untrusted values.
    static func quote(_ text: some StringProtocol, limit: Int = 80) -> String {
        let cleaned = text.prefix(limit).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0.isPunctuation || $0.isSymbol || $0 == " ") ? $0 : "?" }
        return String(cleaned) + (text.count > limit ? "…" : "")
    }
}
