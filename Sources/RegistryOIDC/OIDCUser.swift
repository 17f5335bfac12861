
/// Who logged in through an OpenID provider.
public struct OIDCUser: Sendable, Hashable {
    /// The registry user name.
    public let username: String
    /// Group names from the ID token.
    public let groups: [String]

    /// Creates a user.
    public init(username: String, groups: [String]) {
        self.username = username
        self.groups = groups
    }

    /// The user named by verified ID-token claims.
    ///
    /// User name: the claim named by `claimMapping.username` when configured (it must be a non-empty string);
    /// otherwise `email` — Zot's choice, so existing `accessControl` policies keep matching — unless the
    /// provider says `email_verified: false`, and then `sub`. `preferred_username` is never used by default:
    /// OpenID Connect does not guarantee it is unique or stable.
    /// Groups: the claim named by `claimMapping.groups` (default `groups`), an array of strings or one string.
    public static func from(_ claims: VerifiedClaims, claims claimMapping: ClaimNames?) throws(OIDCError) -> OIDCUser {
        let username: String
        if let configured = claimMapping?.username {
            guard let value = claims.string(configured), !value.isEmpty else { throw .missingClaim(configured) }
            username = value
        } else if let email = claims.string("email"), !email.isEmpty, claims.claims["email_verified"]?.boolValue != false {
            username = email
        } else {
            username = claims.subject
        }
        return OIDCUser(username: username, groups: claims.strings(claimMapping?.groups ?? "groups"))
    }
}
