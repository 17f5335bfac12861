import RegistryCore
import RegistryPolicy

/// Adapts the pure `PolicyEngine` to the HTTP pipeline.
public struct PolicyAccessDecider: AccessDecider {
    let engine: PolicyEngine

    public init(engine: PolicyEngine) {
        self.engine = engine
    }

    public func decide(_ identity: Identity, _ requirement: AccessRequirement) -> AccessVerdict {
        let decision = engine.decide(identity: identity, repository: requirement.repository.value, action: requirement.action)
        return AccessVerdict(allowed: decision.allowed, rule: decision.description, breakGlass: decision.isBreakGlass)
    }
}
