import RegistryConfig
import RegistryCore

/// Zot's sync content rules (`ContentManager`): which upstream repositories a registry entry mirrors, the local name
/// each lands under (`destination`, `stripPrefix`), and the inverse used on demand. Pure.
public struct SyncContentMapper: Sendable {
    /// A content rule with its compiled patterns.
    public struct Rule: Sendable {
        public let config: SyncContentConfig
        let upstreamPattern: DoublestarPattern?
        let localPattern: DoublestarPattern?
        let tagFilter: TagFilter
    }

    public let rules: [Rule]
    /// Whether the upstream is Docker Hub, whose one-component names live under `library/`.
    public let upstreamIsDockerHub: Bool

    public init(_ content: [SyncContentConfig], upstreamIsDockerHub: Bool = false) {
        rules = content.map { config in
            let prefix = config.prefix.hasPrefix("/") ? String(config.prefix.dropFirst()) : config.prefix
            return Rule(config: config, upstreamPattern: DoublestarPattern(prefix),
                        localPattern: DoublestarPattern(Self.localPatternText(config)),
                        tagFilter: TagFilter(config.tags))
        }
        self.upstreamIsDockerHub = upstreamIsDockerHub
    }

    /// The rule whose prefix matches an upstream name (first match wins); with no rules every name matches.
    public func rule(forUpstream repository: String) -> Rule? {
        rules.first { $0.upstreamPattern?.matches(repository) == true }
    }

    /// Whether periodic sync mirrors the upstream repository.
    public func matches(upstream repository: String) -> Bool {
        rules.isEmpty || rule(forUpstream: repository) != nil
    }

    /// The local name of an upstream repository (Zot's `GetRepoDestination`); nil when no rule matches.
    public func localName(forUpstream repository: String) -> String? {
        guard !rules.isEmpty else { return repository }
        guard let rule = rule(forUpstream: repository) else { return nil }
        return Self.destination(repository, rule.config)
    }

    /// The upstream name of a local repository (Zot's `GetRepoSource`), with Docker Hub's implicit `library/`; nil
    /// when no rule maps the name.
    public func upstreamName(forLocal repository: String) -> (name: String, rule: Rule?)? {
        let source: String
        let matched: Rule?
        if rules.isEmpty {
            source = repository
            matched = nil
        } else {
            let trimmed = repository.trimmingSlashes
            guard let rule = rules.first(where: { $0.localPattern?.matches(trimmed) == true }) else { return nil }
            source = Self.source(repository, rule.config)
            matched = rule
        }
        guard !source.isEmpty, source != "/" else { return nil }
        if upstreamIsDockerHub && !source.contains("/") { return ("library/" + source, matched) }
        return (source, matched)
    }

    /// Applies the matching rule's tag filters (regex, excludeRegex, semver) to an upstream repository's tags.
    public func filterTags(upstream repository: String, _ tags: [String]) -> [String] {
        guard let rule = rule(forUpstream: repository) else { return tags }
        return rule.tagFilter.apply(tags)
    }

    // MARK: Zot's string rules

    static func localPatternText(_ content: SyncContentConfig) -> String {
        let prefix = content.prefix.trimmingSlashes + "/"
        let destination = (content.destination ?? "").trimmingSlashes
        let tail = content.stripPrefix ? DoublestarPattern.split(prefix).rest : prefix
        return [destination, tail].joined(separator: "/").trimmingSlashes
    }

    /// `getRepoDestination`.
    public static func destination(_ upstream: String, _ content: SyncContentConfig) -> String {
        var remote = upstream.trimmingSlashes
        let destination = (content.destination ?? "").trimmingSlashes
        let prefix = content.prefix.trimming(Set("/*"))
        if content.stripPrefix {
            if remote.hasPrefix(prefix) { remote = String(remote.dropFirst(prefix.count)) }
            remote = remote.trimmingSlashes
        }
        let joined = [destination, remote].joined(separator: "/")
        return joined == "/" ? "/" : joined.trimmingSlashes
    }

    /// `getRepoSource`.
    public static func source(_ local: String, _ content: SyncContentConfig) -> String {
        var local = local.trimmingSlashes
        let destination = (content.destination ?? "").trimmingSlashes
        let prefix = content.prefix.trimming(Set("/*"))
        if local.hasPrefix(destination) { local = String(local.dropFirst(destination.count)) }
        local = local.trimmingSlashes
        let joined = content.stripPrefix ? [prefix, local].joined(separator: "/") : local
        return joined == "/" ? "/" : joined.trimmingSlashes
    }
}

extension String {
    var trimmingSlashes: String { trimming(["/"]) }

    /// Go's `strings.Trim(s, cutset)`.
    func trimming(_ cutset: Set<Character>) -> String {
        guard let start = firstIndex(where: { !cutset.contains($0) }),
              let end = lastIndex(where: { !cutset.contains($0) }) else { return "" }
        return String(self[start...end])
    }
}
