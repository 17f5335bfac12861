import Foundation
import RegistryAuthCore

/// Verifies signed JWTs (ID tokens and workload-identity bearer tokens) from one issuer.
///
/// Checks, in order: compact form and size; header `alg` is an accepted asymmetric algorithm
/// (``JWSAlgorithm``; `none` and `HS*` refused) and no `crit` extension is present; `iss` matches the issuer
/// (``OIDCIssuer/matches(_:_:)``); the key is chosen by `kid` — an unknown `kid` refreshes the key set (rate
/// limited by ``JWKSKeyCache``) — or, without `kid`, is the single published key fitting `alg`; the key must
/// permit `alg` (`kty`/`crv` and the JWK's own `alg`); the signature; `aud` names an accepted audience; `exp`
/// (required), `nbf` and `iat` against the clock with `leeway`; `sub` is a non-empty string; `nonce` when one
/// is expected.
///
/// jwt-kit is used only for the signature primitive, with a key registered for the algorithm pinned here:
/// its own key selection falls back to a default key and its algorithm choice follows the JWK.
public struct OIDCTokenVerifier: Sendable {
    /// The issuer tokens must come from.
    public let issuer: String
    /// Accepted audiences: the token's `aud` must contain at least one.
    public let audiences: [String]
    /// The issuer's keys.
    public let keys: JWKSKeyCache
    /// Tolerated clock difference for `exp`, `nbf` and `iat`.
    public let leeway: Duration
    private let now: @Sendable () -> Date

    /// Creates a verifier.
    public init(issuer: String, audiences: [String], keys: JWKSKeyCache, leeway: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.issuer = issuer
        self.audiences = audiences
        self.keys = keys
        self.leeway = leeway
        self.now = now
    }

    /// Verifies `token` and returns its claims; `nonce`, when given, must equal the token's `nonce` claim.
    public func verify(_ token: String, nonce: String? = nil) async throws(OIDCError) -> VerifiedClaims {
        let jws = try CompactJWS(token)
        let algorithm = try Self.acceptedAlgorithm(of: jws)
        guard let tokenIssuer = jws.claims["iss"]?.stringValue else { throw .missingClaim("iss") }
        guard OIDCIssuer.matches(tokenIssuer, issuer) else { throw .wrongIssuer(OIDCError.quote(tokenIssuer)) }
        try await verifySignature(of: jws, algorithm: algorithm)
        try checkAudience(jws.claims)
        try ClaimValidityPeriod.check(jws.claims, now: now(), leeway: leeway)
        guard let subject = jws.claims["sub"]?.stringValue, !subject.isEmpty else { throw .missingClaim("sub") }
        if let nonce {
            guard let tokenNonce = jws.claims["nonce"]?.stringValue else { throw .nonceMismatch }
            guard ConstantTime.equal(tokenNonce, nonce) else { throw .nonceMismatch }
        }
        return VerifiedClaims(subject: subject, issuer: tokenIssuer, claims: jws.claims)
    }

    /// The header's algorithm when it is one we accept and the header asks for nothing we do not understand.
    static func acceptedAlgorithm(of jws: CompactJWS) throws(OIDCError) -> JWSAlgorithm {
        guard let name = jws.algorithmName else { throw .malformed("header has no 'alg'") }
        guard let algorithm = JWSAlgorithm(rawValue: name) else { throw .unsupportedAlgorithm(OIDCError.quote(name, limit: 20)) }
        guard jws.header["crit"] == nil else { throw .malformed("header lists critical extensions ('crit')") }
        if let kid = jws.header["kid"], kid.stringValue == nil { throw .malformed("header 'kid' is not a string") }
        guard !jws.signature.isEmpty else { throw .malformed("signature is empty") }
        return algorithm
    }

    private func verifySignature(of jws: CompactJWS, algorithm: JWSAlgorithm) async throws(OIDCError) {
        let kid = jws.keyID
        let published = try await keys.keys(for: kid)
        let fitting = published.filter { $0.verifier(for: algorithm) != nil }
        if let kid {
            guard !published.isEmpty else { throw .unknownKey(kid: OIDCError.quote(kid)) }
            guard !fitting.isEmpty else {
                let key = published[0]
                throw .keyAlgorithmMismatch("key '\(OIDCError.quote(kid))' (\(key.keyType)\(key.curve.map { " \($0)" } ?? "")) permits "
                    + "\(key.algorithms.map(\.rawValue).joined(separator: ",")), token uses \(algorithm.rawValue)")
            }
        } else {
            // No kid (oidc-provider-mock's ID tokens): acceptable only when exactly one key fits the algorithm.
            guard fitting.count == 1 else { throw .unknownKey(kid: nil) }
        }
        for key in fitting {
            guard let verifier = key.verifier(for: algorithm) else { continue }
            if (try? verifier.verify(jws.signature, signs: jws.signingInput)) == true { return }
        }
        throw .badSignature
    }

    private func checkAudience(_ claims: [String: JSONValue]) throws(OIDCError) {
        let tokenAudiences: [String]
        switch claims["aud"] {
        case .string(let audience)?: tokenAudiences = [audience]
        case .array(let values)?: tokenAudiences = values.compactMap(\.stringValue)
        default: throw .missingClaim("aud")
        }
        guard tokenAudiences.contains(where: audiences.contains) else { throw .wrongAudience }
    }
}
