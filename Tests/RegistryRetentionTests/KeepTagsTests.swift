import Foundation
import RegistryCore
import Testing
@testable import RegistryRetention

/// keepTags semantics: Zot's documented examples, the multi-pattern count case of Zot issue #3804, the NixOS-style block.
struct KeepTagsTests {
    /// The policies of Zot's retention documentation ("configuration example").
    static let documented = RetentionSettings(delay: day, policies: [
        RetentionPolicy(repositories: [glob("infra/*"), glob("prod/*")], deleteReferrers: false, keepTags: [
            KeepTagsRule(patterns: patterns("v2.*", ".*-prod")),
            KeepTagsRule(patterns: patterns("v3.*", ".*-prod"), criteria: KeepCriteria(pulledWithin: 7 * day)),
        ]),
        RetentionPolicy(repositories: [glob("tmp/**")], deleteReferrers: true, deleteUntagged: true, keepTags: [
            KeepTagsRule(patterns: patterns("v1.*"), criteria: KeepCriteria(pulledWithin: 7 * day, pushedWithin: 7 * day)),
        ]),
        RetentionPolicy(repositories: [glob("**")], deleteReferrers: true, deleteUntagged: true, keepTags: [
            KeepTagsRule(criteria: KeepCriteria(pulledWithin: 30 * day, pushedWithin: 30 * day, mostRecentlyPushedCount: 10,
                                                mostRecentlyPulledCount: 10)),
        ]),
    ])

    @Test("Zot's documented example: patterns alone keep, pulledWithin keeps recent pulls, unmatched tags go")
    func documentedInfraPolicy() {
        let outcome = RetentionEvaluator.evaluate(snapshot("infra/app", tags: [
            TagFixture(tag: "v2.1", pushed: 400), TagFixture(tag: "api-prod", pushed: 400),
            TagFixture(tag: "v3.0", pushed: 60, pulled: 2), TagFixture(tag: "v3.1", pushed: 60, pulled: 30),
            TagFixture(tag: "dev-1", pushed: 1),
        ]), settings: Self.documented, now: now)
        #expect(outcome.policy == "retention.policies[0]")
        let tags = outcome.tags
        #expect(tags["v2.1"]! == (true, "retention.policies[0].keepTags[0].patterns"))
        #expect(tags["api-prod"]! == (true, "retention.policies[0].keepTags[0].patterns"))
        #expect(tags["v3.0"]! == (true, "retention.policies[0].keepTags[1].pulledWithin"))
        #expect(tags["v3.1"]!.kept == false)
        #expect(tags["dev-1"]!.kept == false, "pushed yesterday but matched by no pattern")
        #expect(outcome.decisions.first { $0.tag == "dev-1" }?.reason == "matched no keepTags patterns")
    }

    @Test("Zot's documented example: pulledWithin also keeps what was pushed within the window; the first matching policy applies")
    func documentedTmpPolicy() {
        let outcome = RetentionEvaluator.evaluate(snapshot("tmp/a/b", tags: [
            TagFixture(tag: "v1.0", pushed: 2), TagFixture(tag: "v1.1", pushed: 10), TagFixture(tag: "v1.2", pushed: 10, pulled: 3),
            TagFixture(tag: "latest", pushed: 1),
        ]), settings: Self.documented, now: now)
        #expect(outcome.policy == "retention.policies[1]")
        #expect(outcome.keptTags == ["v1.0", "v1.2"])
        #expect(outcome.tags["v1.0"]!.rule == "retention.policies[1].keepTags[0].pulledWithin")
    }

    @Test("Zot's documented catch-all: the 10 most recently pushed and the 10 most recently pulled survive, within 30 days or not")
    func documentedCatchAll() {
        var tags = (1...25).map { TagFixture(tag: "b\($0)", pushed: Double(40 + $0)) }
        tags.append(TagFixture(tag: "old-but-pulled", pushed: 500, pulled: 100))
        tags.append(TagFixture(tag: "recent", pushed: 3))
        let outcome = RetentionEvaluator.evaluate(snapshot("team/x", tags: tags), settings: Self.documented, now: now)
        let expected = ["recent"] + (1...9).map { "b\($0)" } + ["old-but-pulled"]
        #expect(Set(outcome.keptTags) == Set(expected))
        #expect(outcome.tags["old-but-pulled"]!.rule == "retention.policies[2].keepTags[0].mostRecentlyPulledCount")
        #expect(outcome.tags["b25"]!.kept == false)
    }

    @Test("Zot issue #3804: each count rule protects the newest tag of its own prefix even when an earlier, broader rule also matches")
    func issue3804() {
        let settings = RetentionSettings(policies: [RetentionPolicy(repositories: [glob("**")], keepTags: [
            KeepTagsRule(patterns: patterns(".*"), criteria: KeepCriteria(pushedWithin: 7 * day)),
            KeepTagsRule(patterns: patterns("env18-.*"), criteria: KeepCriteria(mostRecentlyPushedCount: 1)),
            KeepTagsRule(patterns: patterns("env19-.*"), criteria: KeepCriteria(mostRecentlyPushedCount: 1)),
        ])])
        let outcome = RetentionEvaluator.evaluate(snapshot("ci/app", tags: [
            TagFixture(tag: "env18-a", pushed: 32), TagFixture(tag: "env18-b", pushed: 33), TagFixture(tag: "env19-a", pushed: 32),
            TagFixture(tag: "fresh", pushed: 1), TagFixture(tag: "stale", pushed: 40),
        ]), settings: settings, now: now)
        // Zot groups every tag under the first rule whose patterns match (".*"), so it deleted env18-a and env19-a.
        #expect(outcome.tags["env18-a"]! == (true, "retention.policies[0].keepTags[1].mostRecentlyPushedCount"))
        #expect(outcome.tags["env19-a"]! == (true, "retention.policies[0].keepTags[2].mostRecentlyPushedCount"))
        #expect(outcome.tags["fresh"]! == (true, "retention.policies[0].keepTags[0].pushedWithin"))
        #expect(outcome.tags["env18-b"]!.kept == false && outcome.tags["stale"]!.kept == false)
        #expect(outcome.decisions.first { $0.tag == "stale" }?.reason == "selected by keepTags patterns but met none of their criteria")
    }

    @Test("Several patterns in one rule share its count; the same patterns split over rules get a count each")
    func multiPatternCount() {
        let tags = [TagFixture(tag: "env18-a", pushed: 5), TagFixture(tag: "env19-a", pushed: 6), TagFixture(tag: "env19-b", pushed: 7)]
        let shared = RetentionSettings(policies: [RetentionPolicy(repositories: [glob("**")], keepTags: [
            KeepTagsRule(patterns: patterns("env18-.*", "env19-.*"), criteria: KeepCriteria(mostRecentlyPushedCount: 1)),
        ])])
        #expect(RetentionEvaluator.evaluate(snapshot("r", tags: tags), settings: shared, now: now).keptTags == ["env18-a"])
        let split = RetentionSettings(policies: [RetentionPolicy(repositories: [glob("**")], keepTags: [
            KeepTagsRule(patterns: patterns("env18-.*"), criteria: KeepCriteria(mostRecentlyPushedCount: 1)),
            KeepTagsRule(patterns: patterns("env19-.*"), criteria: KeepCriteria(mostRecentlyPushedCount: 1)),
        ])])
        #expect(RetentionEvaluator.evaluate(snapshot("r", tags: tags), settings: split, now: now).keptTags == ["env18-a", "env19-a"])
    }

    @Test("The NixOS-style block: latest always, the 10 newest or a week old, v.* pulled within 30 days; the rest goes (dry run decides the same)")
    func nixosStyleBlock() {
        let settings = RetentionSettings(dryRun: true, delay: day, policies: [RetentionPolicy(
            repositories: [glob("**")], deleteReferrers: true, deleteUntagged: true, keepTags: [
                KeepTagsRule(patterns: patterns("latest")),
                KeepTagsRule(criteria: KeepCriteria(pushedWithin: 7 * day, mostRecentlyPushedCount: 10)),
                KeepTagsRule(patterns: patterns("v.*"), criteria: KeepCriteria(pulledWithin: 30 * day)),
            ])])
        var tags = (1...15).map { TagFixture(tag: "build-\($0)", pushed: Double($0) + 0.5) }
        tags += [TagFixture(tag: "latest", pushed: 100), TagFixture(tag: "v1.0", pushed: 200, pulled: 10),
                 TagFixture(tag: "v0.9", pushed: 200, pulled: 40)]
        let outcome = RetentionEvaluator.evaluate(snapshot("nixos/hydra", tags: tags, untagged: [
            ("orphan", ManifestFacts(storedAt: daysAgo(3))), ("fresh-orphan", ManifestFacts(storedAt: now.addingTimeInterval(-60))),
        ]), settings: settings, now: now)
        #expect(Set(outcome.keptTags) == Set((1...10).map { "build-\($0)" } + ["latest", "v1.0"]))
        #expect(outcome.tags["latest"]!.rule == "retention.policies[0].keepTags[0].patterns")
        #expect(outcome.tags["build-3"]!.rule == "retention.policies[0].keepTags[1].mostRecentlyPushedCount")
        #expect(outcome.tags["v1.0"]!.rule == "retention.policies[0].keepTags[2].pulledWithin")
        #expect(outcome.untagged("orphan")?.deleted == true)
        #expect(outcome.untagged("orphan")?.rule == "retention.policies[0].deleteUntagged")
        #expect(outcome.untagged("fresh-orphan")?.deleted == false && outcome.untagged("fresh-orphan")?.rule == "delay")
        // The manifests of deleted tags are left untagged and go too (they are older than the delay).
        #expect(outcome.deletedManifests.contains(digest("build-11-manifest")))
        #expect(outcome.deletedManifests.contains(digest("v0.9-manifest")))
        #expect(!outcome.deletedManifests.contains(digest("build-1-manifest")))
    }

    @Test("Tags without statistics are kept; a repository no policy matches keeps everything; no keepTags keeps every tag")
    func defaults() {
        let settings = RetentionSettings(policies: [
            RetentionPolicy(repositories: [glob("a/**")], keepTags: [KeepTagsRule(patterns: patterns("^v"))]),
            RetentionPolicy(repositories: [glob("c")]),
        ])
        let a = RetentionEvaluator.evaluate(snapshot("a/x", tags: [TagFixture(tag: "imported", pushed: nil), TagFixture(tag: "x", pushed: 1)]),
                                            settings: settings, now: now)
        #expect(a.tags["imported"]! == (true, "no-statistics"))
        #expect(a.tags["x"]!.kept == false)
        let b = RetentionEvaluator.evaluate(snapshot("b", tags: [TagFixture(tag: "x", pushed: 500)],
                                                     untagged: [("old", ManifestFacts(storedAt: daysAgo(500)))]), settings: settings, now: now)
        #expect(b.policy == nil && b.decisions.allSatisfy { !$0.deleted && $0.rule == "no-policy" })
        let c = RetentionEvaluator.evaluate(snapshot("c", tags: [TagFixture(tag: "x", pushed: 500)]), settings: settings, now: now)
        #expect(c.tags["x"]! == (true, "retention.policies[1].keepTags"))
    }

    @Test("mostRecentlyPulledCount counts only tags that were pulled; ties are broken by tag name, not input order")
    func pulledCount() {
        let settings = RetentionSettings(policies: [RetentionPolicy(repositories: [glob("**")], keepTags: [
            KeepTagsRule(criteria: KeepCriteria(mostRecentlyPulledCount: 2)),
        ])])
        let outcome = RetentionEvaluator.evaluate(snapshot("r", tags: [
            TagFixture(tag: "never", pushed: 1), TagFixture(tag: "b", pushed: 9, pulled: 5), TagFixture(tag: "a", pushed: 9, pulled: 5),
            TagFixture(tag: "c", pushed: 9, pulled: 8),
        ]), settings: settings, now: now)
        #expect(outcome.keptTags == ["a", "b"])
    }

    @Test("Patterns are searched anywhere in the tag, as Go's MatchString; anchors make them whole-tag")
    func unanchoredPatterns() throws {
        #expect(try TagPattern("v.*").matches("dev-1"))
        #expect(try !TagPattern("^v.*$").matches("dev-1"))
        #expect(try TagPattern("^v[0-9]+\\.[0-9]+$").matches("v1.25"))
        #expect(throws: TagPatternError.self) { try TagPattern("v(1") }
    }

    @Test("Literal patterns matched without the regex engine agree with it")
    func literalFastPathAgreesWithRegex() throws {
        let sources = ["latest", "^latest$", "v.*", "^v.*", "^v", "-prod$", "prod", "", ".*", "^.*$", "v1.*$", "^release-.*", "a.b"]
        let tags = ["latest", "not-latest", "latest-1", "v1.2", "dev", "api-prod", "prod-api", "release-9", "a.b", "axb", ""]
        for source in sources {
            let pattern = try TagPattern(source), regex = try Regex(source)
            for tag in tags {
                #expect(pattern.matches(tag) == ((try? regex.firstMatch(in: tag)) != nil), "\(source) on \(tag)")
            }
        }
    }
}
