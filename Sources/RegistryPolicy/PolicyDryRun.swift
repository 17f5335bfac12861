import Foundation
import RegistryCore

/// Renders a `PolicyExplanation` for people (text) and for tools (JSON).
public struct PolicyDryRun: Sendable {
    /// The explanation being rendered.
    public let explanation: PolicyExplanation
    /// At most this many non-matching patterns are listed by name in the text rendering.
    public var nonMatchingListLimit = 10

    /// Explains one question against `engine`.
    public init(engine: PolicyEngine, identity: Identity, repository: String, action: RegistryAction) {
        self.explanation = engine.explain(identity: identity, repository: repository, action: action)
    }

    /// Renders an existing explanation.
    public init(explanation: PolicyExplanation) {
        self.explanation = explanation
    }

    /// Multi-line text: verdict, deciding rule and entry, then the other patterns and why they did not apply.
    public var text: String {
        let decision = explanation.decision
        var lines: [String] = []
        lines.append(decision.allowed ? (decision.isBreakGlass ? "ALLOW (break-glass)" : "ALLOW") : "DENY")
        lines.append("  request:  \(decision.action.rawValue) on \"\(decision.repository)\" by \(Self.who(decision.identity))")
        if !explanation.effectiveGroups.isEmpty {
            lines.append("  groups:   \(explanation.effectiveGroups.joined(separator: ", "))")
        }
        lines.append("  decided:  \(Self.ruleText(decision.rule))")
        if let entry = explanation.grantingEntry {
            lines.append("  entry:    \(Self.entryText(entry))")
        }
        lines.append("  reason:   \(decision.description)")
        let others = explanation.matchingPatterns.filter { $0.status != .decides }
        if !others.isEmpty {
            lines.append("  other matching patterns (not applied):")
            for candidate in others { lines.append("    - \(candidate)") }
        }
        let nonMatching = explanation.nonMatchingPatterns
        if !nonMatching.isEmpty {
            if nonMatching.count <= nonMatchingListLimit {
                lines.append("  patterns that do not match \"\(decision.repository)\": "
                    + nonMatching.map { "\"\($0)\"" }.joined(separator: ", "))
            } else {
                lines.append("  \(nonMatching.count) other patterns do not match \"\(decision.repository)\"")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Pretty-printed JSON with sorted keys (see `PolicyDryRunReport` for the fields).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(PolicyDryRunReport(explanation))
        return String(decoding: data, as: UTF8.self)
    }

    static func who(_ identity: Identity) -> String {
        identity.username.map { "user \"\($0)\"" } ?? "anonymous"
    }

    static func ruleText(_ rule: PolicyRule) -> String {
        switch rule {
        case .repositoryPolicy(let pattern, let entryIndex, let match):
            "repositories.\"\(pattern)\".policies[\(entryIndex)] (matched by \(match))"
        case .defaultPolicy(let pattern):
            "repositories.\"\(pattern)\".defaultPolicy"
        case .anonymousPolicy(let pattern):
            "repositories.\"\(pattern)\".anonymousPolicy"
        case .adminPolicy(let match):
            "adminPolicy (matched by \(match))"
        case .defaultDeny(.noMatchingPattern):
            "default deny (no repository pattern matches)"
        case .defaultDeny(.notGranted(let pattern)):
            "default deny (\"\(pattern)\" grants nothing that applies)"
        }
    }

    static func entryText(_ entry: PolicyEntry) -> String {
        var parts: [String] = []
        if !entry.users.isEmpty { parts.append("users [\(entry.users.joined(separator: ", "))]") }
        if !entry.groups.isEmpty { parts.append("groups [\(entry.groups.joined(separator: ", "))]") }
        parts.append("actions [\(entry.actions.map(\.rawValue).joined(separator: ", "))]")
        return parts.joined(separator: ", ")
    }
}

/// The JSON shape of a dry-run.
public struct PolicyDryRunReport: Sendable, Codable, Hashable {
    /// The deciding rule in machine-readable form.
    public struct Rule: Sendable, Codable, Hashable {
        /// `repositoryPolicy`, `defaultPolicy`, `anonymousPolicy`, `adminPolicy` or `defaultDeny`.
        public var kind: String
        /// The repository pattern, when the rule belongs to one.
        public var pattern: String?
        /// `policies[i]` index for `repositoryPolicy`.
        public var entryIndex: Int?
        /// `user` or `group`, for `repositoryPolicy` and `adminPolicy`.
        public var matchedBy: String?
        /// The user or group name that matched.
        public var matchedName: String?
        /// `noMatchingPattern` or `notGranted`, for `defaultDeny`.
        public var denyReason: String?
    }

    /// A pattern that matched but did not decide.
    public struct OtherPattern: Sendable, Codable, Hashable {
        public var pattern: String
        /// `shorter`, `moreWildcards` or `laterInConfig`.
        public var reason: String
        /// The pattern that won over it.
        public var decidedBy: String
        /// The sentence shown in text output.
        public var explanation: String
    }

    public var decision: String
    public var allowed: Bool
    public var breakGlass: Bool
    public var user: String?
    public var anonymous: Bool
    public var groups: [String]
    public var repository: String
    public var action: String
    public var rule: Rule
    public var entry: PolicyEntry?
    public var summary: String
    public var otherMatchingPatterns: [OtherPattern]
    public var nonMatchingPatterns: [String]

    /// Builds the report from an explanation.
    public init(_ explanation: PolicyExplanation) {
        let decision = explanation.decision
        self.decision = decision.allowed ? "allow" : "deny"
        self.allowed = decision.allowed
        self.breakGlass = decision.isBreakGlass
        self.user = decision.identity.username
        self.anonymous = decision.identity.isAnonymous
        self.groups = explanation.effectiveGroups
        self.repository = decision.repository
        self.action = decision.action.rawValue
        self.rule = Self.rule(decision.rule)
        self.entry = explanation.grantingEntry
        self.summary = decision.description
        self.otherMatchingPatterns = explanation.matchingPatterns.compactMap { candidate in
            switch candidate.status {
            case .decides: nil
            case .shorter(let winner):
                OtherPattern(pattern: candidate.pattern, reason: "shorter", decidedBy: winner, explanation: candidate.description)
            case .moreWildcards(let winner):
                OtherPattern(pattern: candidate.pattern, reason: "moreWildcards", decidedBy: winner, explanation: candidate.description)
            case .laterInConfig(let winner):
                OtherPattern(pattern: candidate.pattern, reason: "laterInConfig", decidedBy: winner, explanation: candidate.description)
            }
        }
        self.nonMatchingPatterns = explanation.nonMatchingPatterns
    }

    private static func rule(_ rule: PolicyRule) -> Rule {
        func match(_ match: PolicyMatch) -> (String, String) {
            switch match {
            case .user(let name): ("user", name)
            case .group(let name): ("group", name)
            }
        }
        switch rule {
        case .repositoryPolicy(let pattern, let entryIndex, let matchedBy):
            let (kind, name) = match(matchedBy)
            return Rule(kind: "repositoryPolicy", pattern: pattern, entryIndex: entryIndex, matchedBy: kind, matchedName: name)
        case .defaultPolicy(let pattern):
            return Rule(kind: "defaultPolicy", pattern: pattern)
        case .anonymousPolicy(let pattern):
            return Rule(kind: "anonymousPolicy", pattern: pattern)
        case .adminPolicy(let matchedBy):
            let (kind, name) = match(matchedBy)
            return Rule(kind: "adminPolicy", matchedBy: kind, matchedName: name)
        case .defaultDeny(.noMatchingPattern):
            return Rule(kind: "defaultDeny", denyReason: "noMatchingPattern")
        case .defaultDeny(.notGranted(let pattern)):
            return Rule(kind: "defaultDeny", pattern: pattern, denyReason: "notGranted")
        }
    }
}
