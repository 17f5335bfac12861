import Foundation
import RegistryCore

/// The manifest half of ``RetentionEvaluator``: untagged manifests and referrers, repeated until nothing changes.
struct UntaggedPass {
    let snapshot: RepositorySnapshot
    let policy: RetentionPolicy
    let label: String
    let delay: TimeInterval
    let now: Date
    private let delayText: String
    private let deleteUntaggedRule: String
    private let deleteReferrersRule: String
    private let keepUntaggedRule: String

    init(snapshot: RepositorySnapshot, policy: RetentionPolicy, label: String, delay: TimeInterval, now: Date) {
        self.snapshot = snapshot
        self.policy = policy
        self.label = label
        self.delay = delay
        self.now = now
        delayText = RetentionEvaluator.duration(delay)
        deleteUntaggedRule = "\(label).deleteUntagged"
        deleteReferrersRule = "\(label).deleteReferrers"
        keepUntaggedRule = "\(label).keepUntagged"
    }

    private static let manifestTypes = MediaType.indexTypes.union(MediaType.imageTypes)

    /// Decisions for every manifest left without tags (and every deleted referrer); tag decisions of deleted tagged
    /// referrers are turned into deletions.
    func run(tagDecisions: inout [String: RetentionDecision]) -> [RetentionDecision] {
        var order: [Digest] = []
        var mediaTypes: [Digest: String] = [:]
        var keptTags: [Digest: [String]] = [:]
        for entry in snapshot.entries {
            if mediaTypes[entry.digest] == nil {
                mediaTypes[entry.digest] = entry.mediaType
                order.append(entry.digest)
            }
            if let tag = entry.tag, let decision = tagDecisions[tag], decision.digest == entry.digest, !decision.deleted {
                keptTags[entry.digest, default: []].append(tag)
            }
        }
        var deleted: [Digest: RetentionDecision] = [:]
        var state = State(listed: Set(order))
        repeat {
            state = State(listed: Set(order).subtracting(deleted.keys))
            state.prepare(snapshot, keptTags: keptTags, mediaTypes: mediaTypes, policy: policy, now: now)
            var changed = false
            for digest in order where deleted[digest] == nil {
                if let verdict = verdict(digest, state, tagged: keptTags[digest] != nil, mediaType: mediaTypes[digest]!), verdict.deleted {
                    deleted[digest] = verdict
                    changed = true
                }
            }
            if !changed { break }
        } while true
        for (digest, decision) in deleted {
            for tag in keptTags[digest] ?? [] {
                tagDecisions[tag] = RetentionDecision(item: .tag(tag), digest: digest, deleted: true, rule: decision.rule,
                                                      reason: decision.reason)
            }
        }
        var result: [RetentionDecision] = []
        for digest in order where keptTags[digest] == nil || deleted[digest] != nil {
            if let decision = deleted[digest] ?? verdict(digest, state, tagged: false, mediaType: mediaTypes[digest]!) {
                result.append(decision)
            }
        }
        // Sorted as `Digest <` orders (by its text), without building the text for every comparison.
        return result.map { ($0, "\($0.digest.algorithm.rawValue):\($0.digest.hex)") }
            .sorted { $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map(\.0)
    }

    /// The listing at one step of the loop.
    struct State {
        let listed: Set<Digest>
        var children = Set<Digest>()
        var keptUntagged: [Digest: (String?, String)] = [:]
        var withStatistics = Set<Digest>()

        init(listed: Set<Digest>) { self.listed = listed }

        mutating func prepare(_ snapshot: RepositorySnapshot, keptTags: [Digest: [String]], mediaTypes: [Digest: String],
                              policy: RetentionPolicy, now: Date) {
            for digest in listed { children.formUnion(snapshot.manifests[digest]?.children ?? []) }
            guard let criteria = policy.keepUntagged, !criteria.isEmpty else { return }
            var candidates: [TagCandidate] = []
            for digest in listed where keptTags[digest] == nil && !children.contains(digest) && snapshot.manifests[digest]?.subject == nil {
                guard let activity = snapshot.activity.manifests[digest], let pushedAt = activity.pushedAt else { continue }
                withStatistics.insert(digest)
                candidates.append(TagCandidate(tag: digest.description, digest: digest, pushedAt: pushedAt, pulledAt: activity.pulledAt))
            }
            let names = RetentionEvaluator.RuleNames(label: "", criteria: criteria)
            for (candidate, criterion) in RetentionEvaluator.kept(candidates, by: criteria, now: now) where keptUntagged[candidate.digest] == nil {
                keptUntagged[candidate.digest] = (criterion?.rawValue, names.describe(criterion).1)
            }
        }
    }

    /// The verdict on one listed manifest; nil for a tagged manifest that is not a referrer of a missing subject.
    func verdict(_ digest: Digest, _ state: State, tagged: Bool, mediaType: String) -> RetentionDecision? {
        let facts = snapshot.manifests[digest]
        func decision(_ deleted: Bool, _ rule: String, _ reason: String) -> RetentionDecision {
            RetentionDecision(item: .untagged, digest: digest, deleted: deleted, rule: rule, reason: reason)
        }
        let old = facts?.storedAt.map { now.timeIntervalSince($0) >= delay } ?? false
        if let subject = facts?.subject {
            if state.listed.contains(subject) {
                return tagged ? nil : decision(false, "referrer", "a referrer of \(subject), which is listed")
            }
            guard policy.deleteReferrers else {
                return tagged ? nil : decision(false, deleteReferrersRule, "its subject \(subject) is gone but deleteReferrers is false")
            }
            guard old else {
                return tagged ? nil : decision(false, "delay", "its subject is gone but it was stored less than \(delayText) ago")
            }
            return decision(true, deleteReferrersRule, "a referrer of \(subject), which is no longer listed")
        }
        if tagged { return nil }
        if state.children.contains(digest) { return decision(false, "index-child", "listed by an index in the repository") }
        guard Self.manifestTypes.contains(mediaType) else { return decision(false, "media-type", "\(mediaType) is not a manifest type") }
        guard policy.deleteUntagged else { return decision(false, deleteUntaggedRule, "deleteUntagged is false") }
        if let (criterion, reason) = state.keptUntagged[digest] {
            return decision(false, keepUntaggedRule + (criterion.map { ".\($0)" } ?? ""), reason)
        }
        if policy.keepUntagged.map({ !$0.isEmpty }) == true, !state.withStatistics.contains(digest) {
            return decision(false, "no-statistics", "no push time recorded for the manifest (kept, as Zot does)")
        }
        guard old else { return decision(false, "delay", "stored less than \(delayText) ago") }
        return decision(true, deleteUntaggedRule, "untagged and older than \(delayText)")
    }
}
