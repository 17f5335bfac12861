import RegistryCore

/// One `accessControl.repositories` entry compiled for fast decisions.
/// A class so the hot path reads it through one reference instead of copying its fields.
final class CompiledRule: Sendable {
    /// Position of the rule in config order.
    let configIndex: Int
    let glob: GlobPattern
    let rules: RepositoryRules
    /// Pattern length as Zot measures it (UTF-8 bytes).
    let length: Int
    let userGrants: [String: ActionGrants]
    let groupGrants: [String: ActionGrants]
    let defaultActions: ActionMask
    let anonymousActions: ActionMask

    init(_ rules: RepositoryRules, configIndex: Int) throws(GlobError) {
        self.configIndex = configIndex
        self.glob = try GlobPattern(rules.pattern)
        self.rules = rules
        self.length = rules.pattern.utf8.count
        var users: [String: ActionGrants] = [:]
        var groups: [String: ActionGrants] = [:]
        for (entryIndex, entry) in rules.policies.enumerated() {
            for user in entry.users { users[user, default: ActionGrants()].record(entry.actions, entryIndex: entryIndex) }
            for group in entry.groups { groups[group, default: ActionGrants()].record(entry.actions, entryIndex: entryIndex) }
        }
        self.userGrants = users
        self.groupGrants = groups
        self.defaultActions = ActionMask(rules.defaultPolicy)
        self.anonymousActions = ActionMask(rules.anonymousPolicy)
    }

    /// Precedence among matching patterns: longer first, then fewer wildcards, then earlier in the config.
    func precedes(_ other: CompiledRule) -> Bool {
        if length != other.length { return length > other.length }
        if glob.wildcardCount != other.glob.wildcardCount { return glob.wildcardCount < other.glob.wildcardCount }
        return configIndex < other.configIndex
    }
}
