import RegistryCore

/// How an identity matched a policy entry.
public enum PolicyMatch: Sendable, Hashable, CustomStringConvertible {
    /// The entry lists the user by name.
    case user(String)
    /// The entry lists a group the identity belongs to (from authentication or `accessControl.groups`).
    case group(String)

    public var description: String {
        switch self {
        case .user(let name): "user \"\(name)\""
        case .group(let name): "group \"\(name)\""
        }
    }
}

/// Why a request was denied.
public enum DenyReason: Sendable, Hashable {
    /// No `accessControl.repositories` pattern matches the repository.
    case noMatchingPattern
    /// The deciding pattern grants the action to none of the identity's users, groups or default/anonymous policies.
    case notGranted(pattern: String)
}

/// The rule that decided a request.
public enum PolicyRule: Sendable, Hashable {
    /// A `policies[entryIndex]` entry of the deciding pattern granted the action.
    case repositoryPolicy(pattern: String, entryIndex: Int, matchedBy: PolicyMatch)
    /// The deciding pattern's `defaultPolicy` granted the action to an authenticated user.
    case defaultPolicy(pattern: String)
    /// The deciding pattern's `anonymousPolicy` granted the action to an anonymous request.
    case anonymousPolicy(pattern: String)
    /// `adminPolicy` granted the action after the repository rules did not (break-glass).
    case adminPolicy(matchedBy: PolicyMatch)
    /// Nothing granted the action.
    case defaultDeny(DenyReason)

    /// The repository pattern that decided, when one matched.
    public var pattern: String? {
        switch self {
        case .repositoryPolicy(let pattern, _, _), .defaultPolicy(let pattern), .anonymousPolicy(let pattern),
             .defaultDeny(.notGranted(let pattern)):
            pattern
        case .adminPolicy, .defaultDeny(.noMatchingPattern):
            nil
        }
    }
}

/// The outcome of one authorization check. Cheap to build; `description` is computed on demand.
public struct PolicyDecision: Sendable, Hashable, CustomStringConvertible {
    /// Whether the action is permitted.
    public let allowed: Bool
    /// What decided.
    public let rule: PolicyRule
    /// Who asked.
    public let identity: Identity
    /// The repository asked about.
    public let repository: String
    /// The action asked for.
    public let action: RegistryAction
    /// The pattern that decided the repository check, even when `adminPolicy` then granted the request.
    public let decidingPattern: String?

    /// Creates a decision; `allowed` follows from the rule (everything but `.defaultDeny` allows).
    public init(rule: PolicyRule, identity: Identity, repository: String, action: RegistryAction, decidingPattern: String?) {
        if case .defaultDeny = rule { allowed = false } else { allowed = true }
        self.rule = rule
        self.identity = identity
        self.repository = repository
        self.action = action
        self.decidingPattern = decidingPattern
    }

    /// True when only `adminPolicy` granted the request: the repository rules alone would have denied it.
    public var isBreakGlass: Bool {
        if case .adminPolicy = rule { return true }
        return false
    }

    /// One line for logs and the dry-run, e.g.
    /// `allow read on "team-a/app" for alice: user "alice" is granted read by policies[0] of "team-a/**"`.
    public var description: String {
        let verdict = allowed ? (isBreakGlass ? "allow (break-glass)" : "allow") : "deny"
        let who = identity.username.map { "user \"\($0)\"" } ?? "anonymous"
        let head = "\(verdict) \(action.rawValue) on \"\(repository)\" for \(who)"
        switch rule {
        case .repositoryPolicy(let pattern, let entryIndex, let match):
            return "\(head): \(match) is granted \(action.rawValue) by policies[\(entryIndex)] of \"\(pattern)\""
        case .defaultPolicy(let pattern):
            return "\(head): defaultPolicy of \"\(pattern)\" grants \(action.rawValue) to every authenticated user"
        case .anonymousPolicy(let pattern):
            return "\(head): anonymousPolicy of \"\(pattern)\" grants \(action.rawValue) to anonymous requests"
        case .adminPolicy(let match):
            let repositoryPart = decidingPattern.map { "\"\($0)\" does not grant it" } ?? "no repository pattern matches"
            return "\(head): \(repositoryPart), but adminPolicy grants \(action.rawValue) to \(match)"
        case .defaultDeny(.noMatchingPattern):
            return "\(head): no repository pattern matches (default deny)"
        case .defaultDeny(.notGranted(let pattern)):
            let missing = identity.isAnonymous
                ? "its anonymousPolicy does not include \(action.rawValue)"
                : "grants \(action.rawValue) neither to the user, nor to the user's groups, nor through defaultPolicy"
            return "\(head): \"\(pattern)\" decides and \(missing) (default deny)"
        }
    }
}
