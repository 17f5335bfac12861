import Foundation

/// The time checks every JWT we verify gets: `exp` required and not passed, `nbf` and `iat` (when present) not in
/// the future, each with `leeway` for clock skew.
enum ClaimValidityPeriod {
    static func check(_ claims: [String: JSONValue], now: Date, leeway: Duration) throws(OIDCError) {
        let current = now.timeIntervalSince1970
        let tolerance = leeway.timeInterval
        guard let expiry = claims["exp"]?.numberValue else { throw .missingClaim("exp") }
        guard current < expiry + tolerance else { throw .expired }
        if let notBefore = claims["nbf"] {
            guard let value = notBefore.numberValue else { throw .missingClaim("nbf") }
            guard value <= current + tolerance else { throw .notYetValid }
        }
        if let issuedAt = claims["iat"] {
            guard let value = issuedAt.numberValue else { throw .missingClaim("iat") }
            guard value <= current + tolerance else { throw .notYetValid }
        }
    }
}
