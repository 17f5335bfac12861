import Foundation
import RegistryCore
import RegistryPolicy

/// A policy dry-run for a resolved identity: the policy's explanation, the identity line, warnings, and — for an
/// API key with scopes — the ``AccessPolicy`` verdict (policy ∩ scopes, as the server decides), which is then the
/// decision shown.
public struct DryRunIdentityReport: Sendable {
    /// The identity asked about and where it came from.
    public let resolved: DryRunIdentity
    /// The policy's own explanation (the owner's rights, for an API key).
    public let policy: PolicyDryRun
    /// The ``AccessPolicy`` verdict when the identity carries scopes; `nil` otherwise.
    public let scopeVerdict: AccessVerdict?

    /// Explains `action` on `repository` by `resolved.identity` against `accessControl` (`engine`), and asks
    /// `access` for the verdict when the identity carries scopes (the repository must then be a valid name).
    public init(engine: PolicyEngine, access: AccessPolicy, resolved: DryRunIdentity, repository: String,
                action: RegistryAction) throws(DryRunIdentityError) {
        self.resolved = resolved
        self.policy = PolicyDryRun(engine: engine, identity: resolved.identity, repository: repository, action: action)
        guard resolved.identity.scopes != nil else {
            self.scopeVerdict = nil
            return
        }
        guard let name = RepositoryName(repository) else {
            throw DryRunIdentityError("--repo \"\(repository)\" is not a valid repository name, so no scope can be checked")
        }
        self.scopeVerdict = access.decide(resolved.identity, AccessRequirement(name, action))
    }

    /// Whether the request would be allowed (the scope verdict when there is one, else the policy's).
    public var allowed: Bool { scopeVerdict?.allowed ?? policy.explanation.decision.allowed }

    /// The identity in one line: user, groups, method and source.
    public static func identityLine(_ resolved: DryRunIdentity) -> String {
        let identity = resolved.identity
        var parts = [identity.username.map { "user \"\($0)\"" } ?? "anonymous"]
        if !identity.groups.isEmpty { parts.append("groups [\(identity.groups.joined(separator: ", "))]") }
        parts.append("method \(identity.method.rawValue)")
        return parts.joined(separator: ", ") + " — from \(resolved.source)"
    }

    /// Lines about the identity for the text output: identity, warnings, notes.
    public static func identityLines(_ resolved: DryRunIdentity) -> [String] {
        ["  identity: \(identityLine(resolved))"]
            + resolved.warnings.map { "  warning:  \($0)" }
            + resolved.notes.map { "  note:     \($0)" }
    }

    /// The policy text with the identity lines after the verdict; with scopes, the verdict and `decided:` line
    /// are the scope check's and the policy's own decision follows as `policy:`.
    public var text: String {
        var lines = policy.text.components(separatedBy: "\n")
        lines.insert(contentsOf: Self.identityLines(resolved), at: 1)
        guard let scopeVerdict else { return lines.joined(separator: "\n") }
        lines[0] = scopeVerdict.allowed ? (scopeVerdict.breakGlass ? "ALLOW (break-glass)" : "ALLOW") : "DENY"
        let decided = "  decided:  "
        let policyAllowed = policy.explanation.decision.allowed
        if let index = lines.firstIndex(where: { $0.hasPrefix(decided) }) {
            let policyRule = lines[index].dropFirst(decided.count)
            let kind = resolved.identity.method == .registryToken ? "registry token: policy and token access must both allow"
                : "API key: policy and scope must both allow"
            lines[index] = decided + "\(scopeVerdict.rule) (\(kind))"
            lines.insert("  policy:   \(policyAllowed ? "allow" : "deny") by \(policyRule)", at: index + 1)
        }
        return lines.joined(separator: "\n")
    }

    /// The policy's JSON (`PolicyDryRunReport`) plus `identity`, `warnings`, `notes`, `certificate` and `scope`;
    /// with scopes, `decision`, `allowed`, `breakGlass` and `summary` are the scope check's.
    public func json() throws -> String {
        var report = PolicyDryRunReport(policy.explanation)
        var scope: ScopeJSON?
        if let scopeVerdict {
            scope = ScopeJSON(scopes: (resolved.identity.scopes ?? []).map { ScopeJSON.Scope(repositories: $0.repositories, actions: $0.actions.sorted().map(\.rawValue)) },
                              rule: scopeVerdict.rule, policyDecision: report.decision, policySummary: report.summary)
            report.decision = scopeVerdict.allowed ? "allow" : "deny"
            report.allowed = scopeVerdict.allowed
            report.breakGlass = scopeVerdict.breakGlass
            report.summary = scopeVerdict.rule
        }
        let identity = resolved.identity
        let combined = Combined(policy: report, identity: IdentityJSON(user: identity.username, groups: identity.groups,
                                                                         method: identity.method.rawValue, source: resolved.source),
                                warnings: resolved.warnings, notes: resolved.notes, certificate: resolved.certificate, scope: scope)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(combined), as: UTF8.self)
    }

    struct IdentityJSON: Encodable {
        let user: String?
        let groups: [String]
        let method: String
        let source: String
    }

    struct ScopeJSON: Encodable {
        struct Scope: Encodable {
            let repositories: String
            let actions: [String]
        }

        let scopes: [Scope]
        /// The ``AccessPolicy`` rule that decided (policy ∩ scopes).
        let rule: String
        /// The policy's own decision for the owner, before the scope check.
        let policyDecision: String
        let policySummary: String
    }

    /// The policy report's keys and the extra keys at the same level.
    private struct Combined: Encodable {
        enum Key: String, CodingKey { case identity, warnings, notes, certificate, scope }

        let policy: PolicyDryRunReport
        let identity: IdentityJSON
        let warnings: [String]
        let notes: [String]
        let certificate: DryRunCertificateFacts?
        let scope: ScopeJSON?

        func encode(to encoder: any Encoder) throws {
            try policy.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(identity, forKey: .identity)
            try container.encode(warnings, forKey: .warnings)
            try container.encode(notes, forKey: .notes)
            try container.encodeIfPresent(certificate, forKey: .certificate)
            try container.encodeIfPresent(scope, forKey: .scope)
        }
    }
}
