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
    /// referrers are turned into deletions. Works on positions in `order` so each digest is hashed once.
    func run(tagDecisions: inout [String: RetentionDecision]) -> [RetentionDecision] {
        var order: [Digest] = []
        var position: [Digest: Int] = [:]
        var mediaTypes: [String] = []
        var keptTags: [[String]] = []
        position.reserveCapacity(snapshot.entries.count)
        for entry in snapshot.entries {
            let index: Int
            if let known = position[entry.digest] {
                index = known
            } else {
                index = order.count
                position[entry.digest] = index
                order.append(entry.digest)
                mediaTypes.append(entry.mediaType)
                keptTags.append([])
            }
            if let tag = entry.tag, let decision = tagDecisions[tag], decision.digest == entry.digest, !decision.deleted {
                keptTags[index].append(tag)
            }
        }
        var facts = order.map { snapshot.manifests[$0] }
        // Legacy cosign tags (`sha256-<hex>.sig`, `.sbom`, `.att`) name their subject, as Zot reads them.
        for index in order.indices where facts[index]?.subject == nil {
            if let subject = keptTags[index].lazy.compactMap(Self.cosignSubject).first {
                var updated = facts[index] ?? ManifestFacts()
                updated.subject = subject
                facts[index] = updated
            }
        }
        let subjects = facts.map { $0?.subject.map { position[$0] ?? -1 } }
        let children = facts.map { ($0?.children ?? []).compactMap { position[$0] } }
        var deleted = [RetentionDecision?](repeating: nil, count: order.count)
        var state = State(count: order.count)
        repeat {
            state = State(count: order.count)
            for index in order.indices where deleted[index] == nil {
                state.listed[index] = true
                for child in children[index] { state.child[child] = true }
            }
            prepareKeepUntagged(&state, order: order, keptTags: keptTags, subjects: subjects)
            var changed = false
            for index in order.indices where deleted[index] == nil {
                let verdict = verdict(index, order[index], facts[index], subjects[index], state, tagged: !keptTags[index].isEmpty,
                                      mediaType: mediaTypes[index])
                if let verdict, verdict.deleted {
                    deleted[index] = verdict
                    changed = true
                }
            }
            if !changed { break }
        } while true
        var result: [RetentionDecision] = []
        for index in order.indices {
            if let decision = deleted[index] {
                for tag in keptTags[index] {
                    tagDecisions[tag] = RetentionDecision(item: .tag(tag), digest: order[index], deleted: true, rule: decision.rule,
                                                          reason: decision.reason)
                }
                result.append(decision)
            } else if keptTags[index].isEmpty,
                      let decision = verdict(index, order[index], facts[index], subjects[index], state, tagged: false,
                                             mediaType: mediaTypes[index]) {
                result.append(decision)
            }
        }
        // Sorted as `Digest <` orders (by its text), without building the text for every comparison.
        return result.map { ($0, "\($0.digest.algorithm.rawValue):\($0.digest.hex)") }
            .sorted { $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map(\.0)
    }

    /// The subject a cosign-style tag names (`sha256-<hex>.sig|.sbom|.att`), if it is one.
    static func cosignSubject(_ tag: String) -> Digest? {
        for suffix in [".sig", ".sbom", ".att"] where tag.hasSuffix(suffix) {
            let name = tag.dropLast(suffix.count)
            guard let dash = name.firstIndex(of: "-") else { return nil }
            return Digest("\(name[..<dash]):\(name[name.index(after: dash)...])")
        }
        return nil
    }

    /// The listing at one step of the loop, by position.
    struct State {
        var listed: [Bool]
        var child: [Bool]
        var keptUntagged: [Int: (String?, String)] = [:]
        var withStatistics = Set<Int>()

        init(count: Int) {
            listed = Array(repeating: false, count: count)
            child = Array(repeating: false, count: count)
        }
    }

    /// `keepUntagged` over the untagged, non-child, non-referrer manifests still listed.
    func prepareKeepUntagged(_ state: inout State, order: [Digest], keptTags: [[String]], subjects: [Int?]) {
        guard let criteria = policy.keepUntagged, !criteria.isEmpty else { return }
        var candidates: [TagCandidate] = []
        var positions: [Digest: Int] = [:]
        for index in order.indices where state.listed[index] && keptTags[index].isEmpty && !state.child[index] && subjects[index] == nil {
            guard let activity = snapshot.activity.manifests[order[index]], let pushedAt = activity.pushedAt else { continue }
            state.withStatistics.insert(index)
            positions[order[index]] = index
            candidates.append(TagCandidate(tag: order[index].description, digest: order[index], pushedAt: pushedAt, pulledAt: activity.pulledAt))
        }
        let names = RetentionEvaluator.RuleNames(label: "", criteria: criteria)
        for (candidate, criterion) in RetentionEvaluator.kept(candidates, by: criteria, now: now) {
            guard let index = positions[candidate.digest], state.keptUntagged[index] == nil else { continue }
            state.keptUntagged[index] = (criterion?.rawValue, names.describe(criterion).1)
        }
    }

    /// The verdict on one listed manifest; nil for a tagged manifest that is not a referrer of a missing subject.
    /// `subject`: the position of its subject (-1 when not listed), nil when it is not a referrer.
    func verdict(_ index: Int, _ digest: Digest, _ facts: ManifestFacts?, _ subject: Int??, _ state: State, tagged: Bool,
                 mediaType: String) -> RetentionDecision? {
        func decision(_ deleted: Bool, _ rule: String, _ reason: String) -> RetentionDecision {
            RetentionDecision(item: .untagged, digest: digest, deleted: deleted, rule: rule, reason: reason)
        }
        let old = facts?.storedAt.map { now.timeIntervalSince($0) >= delay } ?? false
        if let subjectPosition = subject ?? nil, let subjectDigest = facts?.subject {
            if subjectPosition >= 0, state.listed[subjectPosition] {
                return tagged ? nil : decision(false, "referrer", "a referrer of \(subjectDigest), which is listed")
            }
            guard policy.deleteReferrers else {
                return tagged ? nil : decision(false, deleteReferrersRule, "its subject \(subjectDigest) is gone but deleteReferrers is false")
            }
            guard old else {
                return tagged ? nil : decision(false, "delay", "its subject is gone but it was stored less than \(delayText) ago")
            }
            return decision(true, deleteReferrersRule, "a referrer of \(subjectDigest), which is no longer listed")
        }
        if tagged { return nil }
        if state.child[index] { return decision(false, "index-child", "listed by an index in the repository") }
        guard Self.manifestTypes.contains(mediaType) else { return decision(false, "media-type", "\(mediaType) is not a manifest type") }
        guard policy.deleteUntagged else { return decision(false, deleteUntaggedRule, "deleteUntagged is false") }
        if let (criterion, reason) = state.keptUntagged[index] {
            return decision(false, keepUntaggedRule + (criterion.map { ".\($0)" } ?? ""), reason)
        }
        if policy.keepUntagged.map({ !$0.isEmpty }) == true, !state.withStatistics.contains(index) {
            return decision(false, "no-statistics", "no push time recorded for the manifest (kept, as Zot does)")
        }
        guard old else { return decision(false, "delay", "stored less than \(delayText) ago") }
        return decision(true, deleteUntaggedRule, "untagged and older than \(delayText)")
    }
}
