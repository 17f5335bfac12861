import Foundation
import RegistryCore

/// Verifies Docker registry tokens (Distribution's token authentication): a JWS signed by one known key.
///
/// Checks, in order: compact form and size; header `alg` equals the key's pinned algorithm and no `crit` is
/// present; the signature; `iss` equals ``issuer`` when one is configured; `aud` (string or list) contains
/// ``service``; `exp` is required, `exp`/`nbf`/`iat` against the clock with ``leeway``; `sub` is a string (empty
/// for an anonymous token); `access` is absent or a list of `{type, name, actions}` objects.
public struct RegistryTokenVerifier: Sendable {
    /// What a verified token says.
    public struct Claims: Sendable, Hashable {
        /// `sub`: the user name, `nil` for an anonymous token (empty or absent `sub`).
        public let subject: String?
        /// `access`, exactly as granted.
        public let access: [DockerAccess]
        /// `jti`, when present.
        public let tokenID: String?
        /// `groups` — read only from our own tokens (``readsGroups``); empty otherwise.
        public var groups: [String] = []
        /// `exp`, seconds since 1970 (0 for unverified claims).
        public var expiresAt: Double = 0
    }

    /// The key tokens must be signed with.
    public let key: RegistryTokenKey
    /// The `aud` tokens must carry (`http.auth.bearer.service`).
    public let service: String
    /// The `iss` tokens must carry, when configured.
    public let issuer: String?
    /// Tolerated clock difference.
    public let leeway: Duration
    /// Whether the `groups` claim is read: true for the built-in token service's own tokens, false for an external
    /// token server's (Zot's token-server mode identifies users by `sub` alone).
    public let readsGroups: Bool
    private let now: @Sendable () -> Date

    /// Creates a verifier.
    public init(key: RegistryTokenKey, service: String, issuer: String? = nil, leeway: Duration = .seconds(60), readsGroups: Bool = false,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.readsGroups = readsGroups
        self.key = key
        self.service = service
        self.issuer = issuer
        self.leeway = leeway
        self.now = now
    }

    /// Whether `token` is addressed to this service (its unverified `aud`), i.e. whether this verifier should judge it.
    public func isAddressedToUs(_ token: String) -> Bool {
        guard let jws = try? CompactJWS(token) else { return false }
        return Self.audiences(jws.claims).contains(service)
    }

    /// Verifies `token` and returns its claims.
    public func verify(_ token: String) throws(OIDCError) -> Claims {
        let jws = try CompactJWS(token)
        guard let name = jws.algorithmName else { throw .malformed("header has no 'alg'") }
        guard name == key.algorithm.rawValue else {
            throw .keyAlgorithmMismatch("the key accepts only \(key.algorithm.rawValue), the token names '\(OIDCError.quote(name, limit: 20))'")
        }
        guard jws.header["crit"] == nil else { throw .malformed("header lists critical extensions ('crit')") }
        guard key.isValid(signature: jws.signature, signingInput: jws.signingInput) else { throw .badSignature }
        let claims = jws.claims
        if let issuer {
            guard let tokenIssuer = claims["iss"]?.stringValue else { throw .missingClaim("iss") }
            guard tokenIssuer == issuer else { throw .wrongIssuer(OIDCError.quote(tokenIssuer)) }
        }
        guard Self.audiences(claims).contains(service) else { throw .wrongAudience }
        try ClaimValidityPeriod.check(claims, now: now(), leeway: leeway)
        var subject: String?
        switch claims["sub"] {
        case nil, .null?: subject = nil
        case .string(let value)?: subject = value.isEmpty ? nil : value
        default: throw .missingClaim("sub")
        }
        let access = try Self.access(claims["access"])
        let tokenID = claims["jti"]?.stringValue
        var verified = Claims(subject: subject, access: access, tokenID: tokenID)
        verified.expiresAt = claims["exp"]?.numberValue ?? 0
        if readsGroups, case .array(let values)? = claims["groups"] { verified.groups = values.compactMap(\.stringValue) }
        return verified
    }

    /// What `token` says, **without verifying it** (for `zot-authz test --token` explanations only).
    public static func unverifiedClaims(_ token: String, readsGroups: Bool) throws(OIDCError) -> Claims {
        let jws = try CompactJWS(token)
        let subject = jws.claims["sub"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var claims = Claims(subject: subject, access: try access(jws.claims["access"]), tokenID: jws.claims["jti"]?.stringValue)
        if readsGroups, case .array(let values)? = jws.claims["groups"] { claims.groups = values.compactMap(\.stringValue) }
        return claims
    }

    static func audiences(_ claims: [String: JSONValue]) -> [String] {
        switch claims["aud"] {
        case .string(let audience)?: [audience]
        case .array(let values)?: values.compactMap(\.stringValue)
        default: []
        }
    }

    static func access(_ value: JSONValue?) throws(OIDCError) -> [DockerAccess] {
        guard let value, value != .null else { return [] }
        guard case .array(let entries) = value else { throw .missingClaim("access") }
        var result: [DockerAccess] = []
        for entry in entries {
            guard let object = entry.objectValue, let type = object["type"]?.stringValue, let name = object["name"]?.stringValue else {
                throw .malformed("an 'access' entry is not an object with string 'type' and 'name'")
            }
            var actions: [String] = []
            switch object["actions"] {
            case nil, .null?: break
            case .array(let names)?:
                for action in names {
                    guard let text = action.stringValue else { throw .malformed("an 'access' entry has a non-string action") }
                    actions.append(text)
                }
            default: throw .malformed("an 'access' entry's 'actions' is not a list")
            }
            result.append(DockerAccess(type: type, name: name, actions: actions))
        }
        return result
    }
}
