import RegistryCore
import RegistryPolicy

extension ConfigMapper {
    private static let ruleKeys = ["policies", "defaultPolicy", "anonymousPolicy"]
    private static let entryKeys = ["users", "groups", "actions"]

    /// `http.accessControl` in Zot's 2.x shape. The pre-2.0 shape (globs directly under accessControl) gets a
    /// precise error telling where the entry belongs.
    func mapAccessControl(_ node: ConfigNode) -> AccessControl? {
        guard let reader = ObjectReader(node, known: ["repositories", "adminPolicy", "groups", "metrics"], collector: collector,
                                        explainUnknown: Self.explainLegacyRule) else {
            return nil
        }
        var accessControl = AccessControl()
        if let repositories = reader.node("repositories") {
            accessControl.repositories = mapRepositories(repositories)
        }
        if let admin = reader.object("adminPolicy", known: Self.entryKeys) {
            accessControl.adminPolicy = mapPolicyEntry(admin)
        }
        if let groupsNode = reader.node("groups") {
            accessControl.groups = mapGroups(groupsNode)
        }
        if let metrics = reader.object("metrics", known: ["users", "anonymousPolicy"]) {
            accessControl.metricsUsers = metrics.stringList("users") ?? []
            if let anonymousNode = metrics.node("anonymousPolicy") {
                let actions = mapActions(anonymousNode)
                for (index, action) in actions.enumerated() where action != .read {
                    collector.error(anonymousNode.path.appending(index: index), "\"\(action.rawValue)\" does not apply to /metrics (only read)")
                }
                accessControl.metricsAnonymousRead = actions.contains(.read)
            }
        }
        return accessControl
    }

    private static func explainLegacyRule(_ key: String, _ member: ConfigNode) -> String? {
        guard case .object(let members) = member.value,
              members.contains(where: { pair in ruleKeys.contains { $0.lowercased() == pair.key.lowercased() } }) else {
            return nil
        }
        let target = ConfigPath.root.appending(key: "http").appending(key: "accessControl").appending(key: "repositories").appending(key: key)
        return "repository rules directly under accessControl are the pre-2.0 Zot layout, which is not supported; move this entry to \(target)"
    }

    private func mapRepositories(_ node: ConfigNode) -> [RepositoryRules] {
        guard case .object(let patterns) = node.value else {
            collector.error(node.path, "expected an object (repository glob → rules), got \(node.kindName)")
            return []
        }
        var rules: [RepositoryRules] = []
        for (pattern, ruleNode) in patterns {
            do {
                _ = try GlobPattern(pattern)
            } catch {
                collector.error(ruleNode.path, "\(ConfigPath.quote(pattern)) is not a valid repository glob: \(error.reason)")
            }
            if pattern != pattern.lowercased() {
                collector.notice(ruleNode.path, "repository names are lower-case, so upper-case letters in this pattern never match")
            }
            guard let reader = ObjectReader(ruleNode, known: Self.ruleKeys, collector: collector) else { continue }
            var rule = RepositoryRules(pattern: pattern)
            if let policies = reader.node("policies").flatMap(collector.list) {
                rule.policies = policies.compactMap { entry in
                    ObjectReader(entry, known: Self.entryKeys, collector: collector).map(mapPolicyEntry)
                }
            }
            rule.defaultPolicy = reader.node("defaultPolicy").map(mapActions) ?? []
            rule.anonymousPolicy = reader.node("anonymousPolicy").map(mapActions) ?? []
            rules.append(rule)
        }
        return rules
    }

    private func mapPolicyEntry(_ reader: ObjectReader) -> PolicyEntry {
        let users = reader.stringList("users") ?? []
        let groups = reader.stringList("groups") ?? []
        let actions = reader.node("actions").map(mapActions) ?? []
        if users.isEmpty && groups.isEmpty && !actions.isEmpty {
            collector.notice(reader.path, "grants actions to no one (no users or groups)")
        }
        return PolicyEntry(users: users, groups: groups, actions: actions)
    }

    /// A list of action names; unknown names are errors naming the element.
    private func mapActions(_ node: ConfigNode) -> [RegistryAction] {
        guard let names = collector.stringList(node) else { return [] }
        var actions: [RegistryAction] = []
        for (index, name) in names.enumerated() {
            guard let action = RegistryAction(rawValue: name) else {
                let valid = RegistryAction.allCases.map(\.rawValue).joined(separator: ", ")
                collector.error(node.path.appending(index: index), "\(ConfigPath.quote(name)) is not an action (\(valid))")
                continue
            }
            if !actions.contains(action) { actions.append(action) }
        }
        return actions
    }

    private func mapGroups(_ node: ConfigNode) -> [String: [String]] {
        guard case .object(let groups) = node.value else {
            collector.error(node.path, "expected an object (group name → {users}), got \(node.kindName)")
            return [:]
        }
        var members: [String: [String]] = [:]
        for (name, groupNode) in groups {
            guard let reader = ObjectReader(groupNode, known: ["users"], collector: collector) else { continue }
            members[name] = reader.stringList("users") ?? []
        }
        return members
    }
}
