import RegistryCore

/// The outcome of an authorization check, with the rule that decided for audit and errors.
public struct AccessVerdict: Sendable, Equatable {
    /// Whether the action is allowed.
    public let allowed: Bool
    /// A one-line description of the deciding rule.
    public let rule: String
    /// True when only the admin policy granted the action.
    public let breakGlass: Bool

    public init(allowed: Bool, rule: String, breakGlass: Bool = false) {
        self.allowed = allowed
        self.rule = rule
        self.breakGlass = breakGlass
    }
}

/// Decides whether an identity may perform an action on a repository.
public protocol AccessDecider: Sendable {
    func decide(_ identity: Identity, _ requirement: AccessRequirement) -> AccessVerdict
}

/// The behaviour of a config without `accessControl`, as in Zot: with no authentication
/// configured everyone may do everything; with authentication, every authenticated user may and
/// anonymous requests may not.
public struct OpenAccessDecider: AccessDecider {
    /// Whether any authentication method is configured.
    public let authenticationConfigured: Bool

    public init(authenticationConfigured: Bool) {
        self.authenticationConfigured = authenticationConfigured
    }

    public func decide(_ identity: Identity, _ requirement: AccessRequirement) -> AccessVerdict {
        if !authenticationConfigured {
            return AccessVerdict(allowed: true, rule: "no accessControl and no authentication configured: open registry")
        }
        if identity.isAnonymous {
            return AccessVerdict(allowed: false, rule: "no accessControl configured: anonymous access denied")
        }
        return AccessVerdict(allowed: true, rule: "no accessControl configured: authenticated users have full access")
    }
}
