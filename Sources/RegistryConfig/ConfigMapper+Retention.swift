import RegistryPolicy
import RegistryRetention

extension ConfigMapper {
    /// `storage.retention` (and each `subPaths` entry's) exactly as Zot reads it: `dryRun`, `delay` (default: the
    /// store's `gcDelay`), `policies[{repositories, deleteReferrers, deleteUntagged (default true), keepTags[{patterns,
    /// pulledWithin, pushedWithin, mostRecentlyPushedCount, mostRecentlyPulledCount}], keepUntagged{…}}]`. Globs and
    /// regular expressions are compiled here, so a bad one is an error naming its key.
    func mapRetention(_ storage: ObjectReader, gcDelay: Double) -> RetentionSettings {
        var settings = RetentionSettings(delay: gcDelay)
        guard let reader = storage.object("retention", known: ["dryRun", "delay", "policies"]) else { return settings }
        settings.dryRun = reader.bool("dryRun") ?? false
        if let (_, seconds) = duration(reader, "delay") { settings.delay = seconds }
        if let node = reader.node("policies"), let elements = collector.list(node) {
            settings.policies = elements.compactMap(mapRetentionPolicy)
        }
        return settings
    }

    private func mapRetentionPolicy(_ node: ConfigNode) -> RetentionPolicy? {
        guard let reader = ObjectReader(node, known: ["repositories", "deleteReferrers", "deleteUntagged", "keepTags", "keepUntagged"],
                                        collector: collector) else { return nil }
        var globs: [GlobPattern] = []
        if let repositories = reader.node("repositories"), let patterns = collector.stringList(repositories) {
            for (index, pattern) in patterns.enumerated() {
                do {
                    globs.append(try GlobPattern(pattern))
                } catch {
                    collector.error(repositories.path.appending(index: index), "\(ConfigPath.quote(pattern)) is not a repository glob: \(error)")
                }
            }
            if patterns.isEmpty { collector.error(repositories.path, "must list at least one repository glob") }
        } else if !reader.contains("repositories") {
            collector.error(reader.path(of: "repositories"), "is required (a list of repository globs, e.g. [\"**\"])")
        }
        var policy = RetentionPolicy(repositories: globs)
        policy.deleteReferrers = reader.bool("deleteReferrers") ?? false
        policy.deleteUntagged = reader.bool("deleteUntagged") ?? true
        if let node = reader.node("keepTags"), let elements = collector.list(node) {
            policy.keepTags = elements.compactMap(mapKeepTagsRule)
        }
        if let node = reader.node("keepUntagged"),
           let untagged = ObjectReader(node, known: Self.criteriaKeys, collector: collector) {
            policy.keepUntagged = mapCriteria(untagged)
        }
        return policy
    }

    private static let criteriaKeys = ["pulledWithin", "pushedWithin", "mostRecentlyPushedCount", "mostRecentlyPulledCount"]

    private func mapKeepTagsRule(_ node: ConfigNode) -> KeepTagsRule? {
        guard let reader = ObjectReader(node, known: ["patterns"] + Self.criteriaKeys, collector: collector) else { return nil }
        var rule = KeepTagsRule(criteria: mapCriteria(reader))
        if let patternsNode = reader.node("patterns"), let patterns = collector.stringList(patternsNode) {
            for (index, pattern) in patterns.enumerated() {
                do {
                    rule.patterns.append(try TagPattern(pattern))
                } catch {
                    collector.error(patternsNode.path.appending(index: index), error.description)
                }
            }
        }
        return rule
    }

    private func mapCriteria(_ reader: ObjectReader) -> KeepCriteria {
        var criteria = KeepCriteria()
        criteria.pulledWithin = duration(reader, "pulledWithin")?.1
        criteria.pushedWithin = duration(reader, "pushedWithin")?.1
        if let node = reader.node("mostRecentlyPushedCount") {
            criteria.mostRecentlyPushedCount = collector.integer(node, naming: "a count", in: 0...1_000_000_000) ?? 0
        }
        if let node = reader.node("mostRecentlyPulledCount") {
            criteria.mostRecentlyPulledCount = collector.integer(node, naming: "a count", in: 0...1_000_000_000) ?? 0
        }
        return criteria
    }

    /// `gcTimeWindow`: `"HH:MM-HH:MM"` (UTC); empty means no restriction.
    func mapGCTimeWindow(_ reader: ObjectReader) -> GCTimeWindow? {
        guard let node = reader.node("gcTimeWindow"), let text = collector.string(node), !text.isEmpty else { return nil }
        switch GCTimeWindow.parse(text) {
        case .success(let window): return window
        case .failure(let error):
            collector.error(node.path, "\(node.quoted) is not a time window: \(error.reason)")
            return nil
        }
    }
}
