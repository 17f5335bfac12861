import Foundation
import RegistryCore

/// Zot's retention semantics as a pure function: snapshot + settings + now → a decision per tag and untagged manifest.
///
/// - The first policy whose `repositories` match applies. With policies configured, a repository none matches keeps
///   everything. With no policy at all, Zot's GC default holds: tags kept, untagged manifests older than the delay
///   deleted, referrers kept.
/// - Tags (when `keepTags` is not empty): a tag without recorded push time is kept (Zot: "tag statistics not found").
///   Every `keepTags` rule is evaluated on its own over all the tags its patterns select, and a tag survives if any
///   rule keeps it. (Zot assigns each tag to the *first* rule whose patterns match, so a later rule never protects a
///   tag an earlier, broader pattern also matched — its issue #3804.) Within a rule the criteria are OR-ed; counts
///   are over the tags the rule selects (several patterns share one count); a rule without criteria keeps every tag
///   it selects. `mostRecentlyPulledCount` counts only tags that were pulled at least once.
/// - Manifests left untagged (listed without a tag, or whose tags were all deleted) are deleted when `deleteUntagged`,
///   older than `delay`, not a child of a listed index, not a referrer, and not kept by `keepUntagged`. A referrer is
///   deleted when `deleteReferrers` and its subject is no longer listed (repeated until nothing changes, so referrers
///   of deleted manifests go with them).
public enum RetentionEvaluator {
    /// Decides for one repository.
    public static func evaluate(_ snapshot: RepositorySnapshot, settings: RetentionSettings, now: Date) -> RetentionOutcome {
        let policy: RetentionPolicy
        let label: String?
        if settings.policies.isEmpty {
            policy = RetentionPolicy(repositories: [])
            label = nil
        } else if let (index, matched) = settings.policy(for: snapshot.name) {
            policy = matched
            label = "retention.policies[\(index)]"
        } else {
            return keepEverything(snapshot)
        }
        var tagDecisions = decideTags(snapshot, policy: policy, label: label, now: now)
        let untagged = UntaggedPass(snapshot: snapshot, policy: policy, label: label ?? "storage.gc", delay: settings.delay, now: now)
        let manifestDecisions = untagged.run(tagDecisions: &tagDecisions)
        let tags = tagDecisions.values.sorted { $0.tag! < $1.tag! }
        return RetentionOutcome(repository: snapshot.name, policy: label, decisions: tags + manifestDecisions)
    }

    static func keepEverything(_ snapshot: RepositorySnapshot) -> RetentionOutcome {
        var decisions: [RetentionDecision] = []
        var seenTags = Set<String>(), untagged = Set<Digest>()
        for entry in snapshot.entries {
            if let tag = entry.tag {
                if seenTags.insert(tag).inserted {
                    decisions.append(RetentionDecision(item: .tag(tag), digest: entry.digest, deleted: false, rule: "no-policy",
                                                       reason: "no retention policy matches the repository"))
                }
            } else {
                untagged.insert(entry.digest)
            }
        }
        decisions.sort { $0.tag! < $1.tag! }
        for digest in untagged.sorted() {
            decisions.append(RetentionDecision(item: .untagged, digest: digest, deleted: false, rule: "no-policy",
                                               reason: "no retention policy matches the repository"))
        }
        return RetentionOutcome(repository: snapshot.name, policy: nil, decisions: decisions)
    }

    /// One decision per tag (the first entry of a duplicated tag counts, as `index.json` lookups do).
    static func decideTags(_ snapshot: RepositorySnapshot, policy: RetentionPolicy, label: String?, now: Date) -> [String: RetentionDecision] {
        var decisions: [String: RetentionDecision] = [:]
        decisions.reserveCapacity(snapshot.entries.count)
        var candidates: [TagCandidate] = []
        var seen = Set<String>()
        for entry in snapshot.entries {
            guard let tag = entry.tag, seen.insert(tag).inserted else { continue }
            guard label != nil, !policy.keepTags.isEmpty else {
                decisions[tag] = RetentionDecision(item: .tag(tag), digest: entry.digest, deleted: false,
                                                   rule: label.map { "\($0).keepTags" } ?? "no-policy",
                                                   reason: "no keepTags rules: every tag is kept")
                continue
            }
            let activity = snapshot.activity.forTag(tag, digest: entry.digest)
            guard let pushedAt = activity.pushedAt else {
                decisions[tag] = RetentionDecision(item: .tag(tag), digest: entry.digest, deleted: false, rule: "no-statistics",
                                                   reason: "no push time recorded for the tag (kept, as Zot does)")
                continue
            }
            candidates.append(TagCandidate(tag: tag, digest: entry.digest, pushedAt: pushedAt, pulledAt: activity.pulledAt))
        }
        guard let label else { return decisions }
        var selectedByAny = Set<String>()
        for (ruleIndex, rule) in policy.keepTags.enumerated() {
            let selected = rule.patterns.isEmpty ? candidates : candidates.filter { rule.selects($0.tag) }
            if !selected.isEmpty { selectedByAny.formUnion(selected.map(\.tag)) }
            let names = RuleNames(label: "\(label).keepTags[\(ruleIndex)]", criteria: rule.criteria)
            for (candidate, criterion) in kept(selected, by: rule.criteria, now: now) where decisions[candidate.tag] == nil {
                let (name, reason) = names.describe(criterion)
                decisions[candidate.tag] = RetentionDecision(item: .tag(candidate.tag), digest: candidate.digest, deleted: false,
                                                             rule: name, reason: reason)
            }
        }
        let rule = "\(label).keepTags"
        for candidate in candidates where decisions[candidate.tag] == nil {
            let reason = selectedByAny.contains(candidate.tag)
                ? "selected by keepTags patterns but met none of their criteria"
                : "matched no keepTags patterns"
            decisions[candidate.tag] = RetentionDecision(item: .tag(candidate.tag), digest: candidate.digest, deleted: true,
                                                         rule: rule, reason: reason)
        }
        return decisions
    }

    /// One criterion of `KeepCriteria` (nil: the rule has none and keeps what its patterns select).
    enum Criterion: String {
        case mostRecentlyPushedCount, mostRecentlyPulledCount, pulledWithin, pushedWithin
    }

    /// Rule names and reasons of one rule, built once per rule rather than per tag.
    struct RuleNames {
        let label: String
        let criteria: KeepCriteria

        func describe(_ criterion: Criterion?) -> (String, String) {
            guard let criterion else { return ("\(label).patterns", "matches the rule's patterns (no other criteria)") }
            let reason: String
            switch criterion {
            case .mostRecentlyPushedCount: reason = "among the \(criteria.mostRecentlyPushedCount) most recently pushed"
            case .mostRecentlyPulledCount: reason = "among the \(criteria.mostRecentlyPulledCount) most recently pulled"
            case .pulledWithin: reason = "pulled (or pushed) within \(RetentionEvaluator.duration(criteria.pulledWithin ?? 0))"
            case .pushedWithin: reason = "pushed within \(RetentionEvaluator.duration(criteria.pushedWithin ?? 0))"
            }
            return ("\(label).\(criterion.rawValue)", reason)
        }
    }

    /// The candidates one rule keeps, in criterion order (counts first, then ages), each with the criterion.
    static func kept(_ selected: [TagCandidate], by criteria: KeepCriteria, now: Date) -> [(TagCandidate, Criterion?)] {
        guard !criteria.isEmpty else { return selected.map { ($0, nil) } }
        var result: [(TagCandidate, Criterion?)] = []
        if criteria.mostRecentlyPushedCount > 0 {
            for candidate in selected.sorted(by: TagCandidate.pushedLater).prefix(criteria.mostRecentlyPushedCount) {
                result.append((candidate, .mostRecentlyPushedCount))
            }
        }
        if criteria.mostRecentlyPulledCount > 0 {
            for candidate in selected.filter({ $0.pulledAt != nil }).sorted(by: TagCandidate.pulledLater)
                .prefix(criteria.mostRecentlyPulledCount) {
                result.append((candidate, .mostRecentlyPulledCount))
            }
        }
        if let within = criteria.pulledWithin {
            let since = now.addingTimeInterval(-within)
            for candidate in selected where (candidate.pulledAt.map { $0 > since } ?? false) || candidate.pushedAt > since {
                result.append((candidate, .pulledWithin))
            }
        }
        if let within = criteria.pushedWithin {
            let since = now.addingTimeInterval(-within)
            for candidate in selected where candidate.pushedAt > since {
                result.append((candidate, .pushedWithin))
            }
        }
        return result
    }

    /// A duration as Go prints short ones (`168h`, `30m`, `10s`).
    static func duration(_ seconds: TimeInterval) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}

/// A tag with a recorded push time.
struct TagCandidate: Sendable {
    let tag: String
    let digest: Digest
    let pushedAt: Date
    let pulledAt: Date?

    /// Newest push first; ties by tag, so results do not depend on input order.
    static func pushedLater(_ lhs: TagCandidate, _ rhs: TagCandidate) -> Bool {
        lhs.pushedAt != rhs.pushedAt ? lhs.pushedAt > rhs.pushedAt : lhs.tag < rhs.tag
    }

    static func pulledLater(_ lhs: TagCandidate, _ rhs: TagCandidate) -> Bool {
        let left = lhs.pulledAt ?? .distantPast, right = rhs.pulledAt ?? .distantPast
        return left != right ? left > right : lhs.tag < rhs.tag
    }
}
