import RegistryCore

/// The retention verdict on one tag or one untagged manifest, and what decided it.
public struct RetentionDecision: Sendable, Hashable {
    /// What the decision is about.
    public enum Item: Sendable, Hashable {
        /// A tag (and the manifest it names).
        case tag(String)
        /// A manifest listed without a tag (or left without one once its tags went).
        case untagged
    }

    /// A tag or an untagged manifest.
    public var item: Item
    /// The manifest's digest.
    public var digest: Digest
    /// Whether it is deleted (false: kept).
    public var deleted: Bool
    /// The config rule that decided (`retention.policies[0].keepTags[1].mostRecentlyPushedCount`, `…deleteUntagged`), or
    /// a fixed name (`no-policy`, `no-statistics`, `delay`, …) when no rule applied.
    public var rule: String
    /// Why, in words.
    public var reason: String

    /// A decision.
    public init(item: Item, digest: Digest, deleted: Bool, rule: String, reason: String) {
        self.item = item
        self.digest = digest
        self.deleted = deleted
        self.rule = rule
        self.reason = reason
    }

    /// The tag, for tag decisions.
    public var tag: String? {
        if case .tag(let tag) = item { return tag }
        return nil
    }
}

/// Every decision for one repository.
public struct RetentionOutcome: Sendable, Hashable {
    /// The repository.
    public var repository: String
    /// The policy applied (`retention.policies[N]`), or nil when none matched (or none is configured).
    public var policy: String?
    /// Tag decisions sorted by tag, then untagged-manifest decisions sorted by digest.
    public var decisions: [RetentionDecision]

    /// An outcome.
    public init(repository: String, policy: String?, decisions: [RetentionDecision]) {
        self.repository = repository
        self.policy = policy
        self.decisions = decisions
    }

    /// Tags to remove, each with the digest it named when decided.
    public var deletedTags: [(tag: String, digest: Digest)] {
        decisions.compactMap { decision in decision.deleted ? decision.tag.map { ($0, decision.digest) } : nil }
    }

    /// Manifests to remove from the index entirely.
    public var deletedManifests: [Digest] {
        decisions.filter { $0.deleted && $0.tag == nil }.map(\.digest)
    }
}
