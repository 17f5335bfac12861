import RegistryCore

/// The outcome of an access question, with the rule that decided (for audit, errors and the dry-run).
public struct AccessVerdict: Sendable, Equatable {
    /// Whether the action is allowed.
    public let allowed: Bool
    /// A one-line description of the deciding rule.
    public let rule: String
    /// True when only the admin policy granted the action.
    public let breakGlass: Bool
    /// True when the denial comes from the credential's own scopes (an API key's scopes, a registry token's
    /// `access`), not from policy: a token holder may ask the token service for a token that covers the request.
    public let outsideCredentialScope: Bool

    /// Creates a verdict.
    public init(allowed: Bool, rule: String, breakGlass: Bool = false, outsideCredentialScope: Bool = false) {
        self.allowed = allowed
        self.rule = rule
        self.breakGlass = breakGlass
        self.outsideCredentialScope = outsideCredentialScope
    }
}
