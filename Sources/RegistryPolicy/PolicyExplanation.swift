import RegistryCore

/// A matching pattern and its part in a decision.
public struct PatternCandidate: Sendable, Hashable, CustomStringConvertible {
    /// Why a matching pattern did or did not decide.
    public enum Status: Sendable, Hashable {
        /// This pattern decided the repository check.
        case decides
        /// A longer pattern decided.
        case shorter(than: String)
        /// An equally long pattern with fewer wildcards decided.
        case moreWildcards(than: String)
        /// An equally long, equally specific pattern earlier in the config decided.
        case laterInConfig(than: String)
    }

    /// The pattern as written.
    public let pattern: String
    /// Its part in the decision.
    public let status: Status

    public var description: String {
        switch status {
        case .decides:
            "\"\(pattern)\" matches and decides (longest match)"
        case .shorter(let winner):
            "\"\(pattern)\" matches but is shorter than \"\(winner)\" (\(pattern.utf8.count) < \(winner.utf8.count) characters)"
        case .moreWildcards(let winner):
            "\"\(pattern)\" matches and is as long as \"\(winner)\" but has more wildcards"
        case .laterInConfig(let winner):
            "\"\(pattern)\" matches and ties with \"\(winner)\" but comes later in the config"
        }
    }
}

/// A decision with everything needed to explain it: for dry-runs, not for the request hot path.
public struct PolicyExplanation: Sendable, Hashable {
    /// The decision, identical to `PolicyEngine.decide`.
    public let decision: PolicyDecision
    /// The groups considered: the identity's own, then those from `accessControl.groups`.
    public let effectiveGroups: [String]
    /// Every pattern matching the repository, in precedence order; the first one decides.
    public let matchingPatterns: [PatternCandidate]
    /// Patterns that do not match the repository, in config order.
    public let nonMatchingPatterns: [String]
    /// The policy entry that granted the request (`policies[i]` of the deciding pattern, or `adminPolicy`).
    public let grantingEntry: PolicyEntry?
}

extension PolicyEngine {
    /// Decides like `decide`, and also reports which patterns matched, why they did not decide, and the
    /// entry that granted. Tests every pattern: use `decide` for serving requests.
    public func explain(identity: Identity, repository: String, action: RegistryAction) -> PolicyExplanation {
        let decision = decide(identity: identity, repository: repository, action: action)
        var matching: [PatternCandidate] = []
        var winner: CompiledRule?
        for rule in rules where rule.glob.matches(repository) {
            guard let best = winner else {
                winner = rule
                matching.append(PatternCandidate(pattern: rule.rules.pattern, status: .decides))
                continue
            }
            let status: PatternCandidate.Status
            if rule.length < best.length {
                status = .shorter(than: best.rules.pattern)
            } else if rule.glob.wildcardCount > best.glob.wildcardCount {
                status = .moreWildcards(than: best.rules.pattern)
            } else {
                status = .laterInConfig(than: best.rules.pattern)
            }
            matching.append(PatternCandidate(pattern: rule.rules.pattern, status: status))
        }
        let matchedPatterns = Set(matching.map(\.pattern))
        let nonMatching = accessControl.repositories.map(\.pattern).filter { !matchedPatterns.contains($0) }
        let entry: PolicyEntry?
        switch decision.rule {
        case .repositoryPolicy(_, let entryIndex, _):
            entry = winner.flatMap { entryIndex < $0.rules.policies.count ? $0.rules.policies[entryIndex] : nil }
        case .adminPolicy:
            entry = accessControl.adminPolicy
        case .defaultPolicy, .anonymousPolicy, .defaultDeny:
            entry = nil
        }
        return PolicyExplanation(decision: decision, effectiveGroups: groups(of: identity), matchingPatterns: matching,
                                 nonMatchingPatterns: nonMatching, grantingEntry: entry)
    }
}
