import RegistryCore

/// Decides Zot `accessControl` questions: may this identity perform this action on this repository?
///
/// Semantics follow Zot:
/// 1. Of the `repositories` patterns matching the repository, only the longest (in UTF-8 bytes) decides.
///    Equal-length ties go to the pattern with fewer wildcards (`*`, `**`, `?`, `[...]`, `{...}`), then to the
///    one earlier in the config. (Zot picks among ties at random; this rule makes the outcome stable.)
/// 2. Within that pattern: a `policies` entry listing the user, then one listing any of the identity's groups
///    (its own plus those from `accessControl.groups`), then `defaultPolicy` for authenticated users, then
///    `anonymousPolicy` for anonymous requests. Anonymous identities never match user or group entries.
/// 3. If that grants nothing, `adminPolicy` (users or groups) applies on every repository; such a grant is
///    flagged `isBreakGlass`.
/// 4. Otherwise deny, also when no pattern matches.
///
/// All patterns are compiled once; `decide` allocates nothing for its search and visits only the patterns
/// whose literal prefix the repository name starts with.
public struct PolicyEngine: Sendable {
    /// The configuration this engine was built from.
    public let accessControl: AccessControl
    /// Compiled rules in precedence order (index = rank).
    let rules: [CompiledRule]
    private let globs: [GlobPattern]
    private let index: PatternIndex
    /// User name → groups the user belongs to via `accessControl.groups`, in sorted order.
    private let configGroupsByUser: [String: [String]]
    private let adminUsers: Set<String>
    private let adminGroups: [String]
    private let adminActions: ActionMask

    /// Compiles `accessControl`; throws the first invalid repository pattern's `GlobError`.
    public init(_ accessControl: AccessControl) throws(GlobError) {
        var compiled: [CompiledRule] = []
        for (configIndex, repositoryRules) in accessControl.repositories.enumerated() {
            compiled.append(try CompiledRule(repositoryRules, configIndex: configIndex))
        }
        compiled.sort { $0.precedes($1) }
        self.accessControl = accessControl
        self.rules = compiled
        self.globs = compiled.map(\.glob)
        self.index = PatternIndex(globs)
        var byUser: [String: [String]] = [:]
        for (group, members) in accessControl.groups.sorted(by: { $0.key < $1.key }) {
            for member in Set(members) { byUser[member, default: []].append(group) }
        }
        self.configGroupsByUser = byUser
        self.adminUsers = Set(accessControl.adminPolicy?.users ?? [])
        self.adminGroups = accessControl.adminPolicy?.groups ?? []
        self.adminActions = ActionMask(accessControl.adminPolicy?.actions ?? [])
    }

    /// Decides whether `identity` may perform `action` on `repository`.
    public func decide(identity: Identity, repository: String, action: RegistryAction) -> PolicyDecision {
        let rank = bestRank(for: repository)
        let rule = rank.map { rules[$0] }
        if let rule, let granted = grant(in: rule, identity: identity, action: action) {
            return PolicyDecision(rule: granted, identity: identity, repository: repository, action: action,
                                  decidingPattern: rule.rules.pattern)
        }
        if let match = adminMatch(identity: identity, action: action) {
            return PolicyDecision(rule: .adminPolicy(matchedBy: match), identity: identity, repository: repository,
                                  action: action, decidingPattern: rule?.rules.pattern)
        }
        let reason: DenyReason = rule.map { .notGranted(pattern: $0.rules.pattern) } ?? .noMatchingPattern
        return PolicyDecision(rule: .defaultDeny(reason), identity: identity, repository: repository, action: action,
                              decidingPattern: rule?.rules.pattern)
    }

    /// Whether `identity` may read `repository` (e.g. to filter `/v2/_catalog`).
    public func canRead(identity: Identity, repository: String) -> Bool {
        decide(identity: identity, repository: repository, action: .read).allowed
    }

    /// The pattern that decides `repository`, if any matches.
    public func decidingPattern(for repository: String) -> String? {
        bestRank(for: repository).map { rules[$0].rules.pattern }
    }

    /// Every group `identity` belongs to: its own, then those from `accessControl.groups` (none when anonymous).
    public func groups(of identity: Identity) -> [String] {
        guard let username = identity.username else { return [] }
        return identity.groups + (configGroupsByUser[username] ?? [])
    }

    /// Whether `adminPolicy` grants `identity` the `delete` action (the break-glass admins, who may also manage
    /// other users' credentials).
    public func isAdmin(_ identity: Identity) -> Bool {
        adminMatch(identity: identity, action: .delete) != nil
    }

    // MARK: - Internals

    func bestRank(for repository: String) -> Int? {
        if let rank = repository.utf8.withContiguousStorageIfAvailable({ index.bestMatch($0) }) { return rank }
        return Array(repository.utf8).withUnsafeBufferPointer { index.bestMatch($0) }
    }

    /// What the repository rule grants, or `nil`.
    func grant(in rule: CompiledRule, identity: Identity, action: RegistryAction) -> PolicyRule? {
        let pattern = rule.rules.pattern
        guard let username = identity.username else {
            return rule.anonymousActions.contains(action) ? .anonymousPolicy(pattern: pattern) : nil
        }
        if let entry = rule.userGrants[username]?[action] {
            return .repositoryPolicy(pattern: pattern, entryIndex: entry, matchedBy: .user(username))
        }
        if !rule.groupGrants.isEmpty, let (entry, group) = firstGroupGrant(rule, username: username,
                                                                             identityGroups: identity.groups, action: action) {
            return .repositoryPolicy(pattern: pattern, entryIndex: entry, matchedBy: .group(group))
        }
        return rule.defaultActions.contains(action) ? .defaultPolicy(pattern: pattern) : nil
    }

    /// The earliest entry granting `action` to one of the user's groups, with the group that matched.
    private func firstGroupGrant(_ rule: CompiledRule, username: String, identityGroups: [String],
                                 action: RegistryAction) -> (Int, String)? {
        var best: (Int, String)?
        func consider(_ group: String) {
            guard let entry = rule.groupGrants[group]?[action] else { return }
            if let current = best, current.0 <= entry { return }
            best = (entry, group)
        }
        for group in identityGroups { consider(group) }
        for group in configGroupsByUser[username] ?? [] { consider(group) }
        return best
    }

    /// How `adminPolicy` grants `action` to `identity`, or `nil`.
    func adminMatch(identity: Identity, action: RegistryAction) -> PolicyMatch? {
        guard let username = identity.username, adminActions.contains(action) else { return nil }
        if adminUsers.contains(username) { return .user(username) }
        for group in adminGroups {
            if identity.groups.contains(group) || configGroupsByUser[username]?.contains(group) == true {
                return .group(group)
            }
        }
        return nil
    }
}
