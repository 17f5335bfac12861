import RegistryCore
import RegistryPolicy

/// Narrows another decider to the scopes a credential carries (API keys): a request is allowed only when the
/// owner's policy allows it **and** one of the credential's scopes covers the repository and action — the
/// intersection, so a key can never do more than its owner, and never more than it was issued for.
/// Identities without scopes are decided by the inner decider alone.
public struct ScopeLimitedDecider: AccessDecider {
    /// The decider for the owner's own rights.
    public let inner: any AccessDecider

    /// Wraps `inner`.
    public init(_ inner: any AccessDecider) {
        self.inner = inner
    }

    public func decide(_ identity: Identity, _ requirement: AccessRequirement) -> AccessVerdict {
        guard let scopes = identity.scopes else { return inner.decide(identity, requirement) }
        let repository = requirement.repository.value
        let covering = scopes.first { scope in
            guard scope.actions.contains(requirement.action), let pattern = try? GlobPattern(scope.repositories) else { return false }
            return pattern.matches(repository)
        }
        guard let covering else {
            let listed = scopes.map { "\($0.repositories)[\($0.actions.sorted().map(\.rawValue).joined(separator: ","))]" }
            return AccessVerdict(allowed: false,
                                 rule: "credential scopes \(listed.joined(separator: " ")) do not cover \(requirement.action.rawValue) on \(repository)")
        }
        let verdict = inner.decide(identity, requirement)
        return AccessVerdict(allowed: verdict.allowed, rule: "\(verdict.rule) (within credential scope \(covering.repositories))",
                             breakGlass: verdict.breakGlass)
    }
}
