import Foundation
import RegistryCore
import Testing
@testable import RegistryRetention

/// Untagged manifests and referrers.
struct UntaggedRetentionTests {
    static func settings(deleteReferrers: Bool = true, deleteUntagged: Bool = true, keepUntagged: KeepCriteria? = nil) -> RetentionSettings {
        RetentionSettings(delay: day, policies: [RetentionPolicy(repositories: [glob("**")], deleteReferrers: deleteReferrers,
                                                                 deleteUntagged: deleteUntagged, keepUntagged: keepUntagged)])
    }

    @Test("Index children and referrers of listed manifests are kept; an orphaned referrer goes only with deleteReferrers")
    func childrenAndReferrers() {
        let old = daysAgo(10)
        let repository = snapshot("r", tags: [TagFixture(tag: "multi", pushed: 1)], untagged: [
            ("child", ManifestFacts(storedAt: old)),
            ("signature", ManifestFacts(subject: digest("multi-manifest"), storedAt: old)),
            ("orphan-signature", ManifestFacts(subject: digest("gone"), storedAt: old)),
        ])
        var withChild = repository
        withChild.manifests[digest("multi-manifest")] = ManifestFacts(children: [digest("child")], storedAt: old)
        let outcome = RetentionEvaluator.evaluate(withChild, settings: Self.settings(), now: now)
        #expect(outcome.untagged("child")?.rule == "index-child")
        #expect(outcome.untagged("signature")?.deleted == false)
        #expect(outcome.untagged("orphan-signature")?.deleted == true)
        #expect(outcome.untagged("orphan-signature")?.rule == "retention.policies[0].deleteReferrers")
        let keeping = RetentionEvaluator.evaluate(withChild, settings: Self.settings(deleteReferrers: false), now: now)
        #expect(keeping.untagged("orphan-signature")?.deleted == false)
    }

    @Test("A legacy cosign signature tag (sha256-<hex>.sig) whose subject is gone goes with deleteReferrers; one of a listed image stays")
    func cosignTags() {
        let old = daysAgo(10)
        let image = digest("image-manifest"), gone = digest("gone")
        var repository = snapshot("r", tags: [
            TagFixture(tag: "image", pushed: 1),
            TagFixture(tag: "sha256-\(image.hex).sig", pushed: 1, manifest: "signature-of-image"),
            TagFixture(tag: "sha256-\(gone.hex).sig", pushed: 1, manifest: "signature-of-gone"),
        ])
        for label in ["signature-of-image", "signature-of-gone", "image-manifest"] { repository.manifests[digest(label)] = ManifestFacts(storedAt: old) }
        let outcome = RetentionEvaluator.evaluate(repository, settings: Self.settings(), now: now)
        #expect(outcome.tags["sha256-\(gone.hex).sig"]! == (false, "retention.policies[0].deleteReferrers"))
        #expect(outcome.tags["sha256-\(image.hex).sig"]!.kept)
        #expect(outcome.deletedManifests == [digest("signature-of-gone")])
        #expect(RetentionEvaluator.evaluate(repository, settings: Self.settings(deleteReferrers: false), now: now).deletedManifests.isEmpty)
    }

    @Test("Referrers of a manifest deleted by retention go with it, and so do the children of a deleted index")
    func cascade() {
        let old = daysAgo(10)
        var repository = snapshot("r", tags: [], untagged: [
            ("index", ManifestFacts(children: [digest("child")], storedAt: old)),
            ("child", ManifestFacts(storedAt: old)),
            ("sbom", ManifestFacts(subject: digest("index"), storedAt: old)),
            ("sbom-signature", ManifestFacts(subject: digest("sbom"), storedAt: old)),
        ])
        repository.entries[0].mediaType = MediaType.ociIndex
        let outcome = RetentionEvaluator.evaluate(repository, settings: Self.settings(), now: now)
        #expect(Set(outcome.deletedManifests) == Set(["index", "child", "sbom", "sbom-signature"].map(digest)))
    }

    @Test("deleteUntagged false, keepUntagged and the delay protect untagged manifests; missing statistics keep them")
    func protections() {
        let repository = snapshot("r", tags: [], untagged: [
            ("a", ManifestFacts(storedAt: daysAgo(10))), ("b", ManifestFacts(storedAt: daysAgo(10))),
            ("c", ManifestFacts(storedAt: daysAgo(10))), ("fresh", ManifestFacts(storedAt: now.addingTimeInterval(-10))),
        ])
        #expect(RetentionEvaluator.evaluate(repository, settings: Self.settings(deleteUntagged: false), now: now).deletedManifests.isEmpty)
        var pulled = repository
        pulled.activity.manifests[digest("a")] = Activity(pushedAt: daysAgo(10), pulledAt: daysAgo(1))
        pulled.activity.manifests[digest("b")] = Activity(pushedAt: daysAgo(10), pulledAt: daysAgo(2))
        pulled.activity.manifests[digest("c")] = Activity(pushedAt: daysAgo(10))
        let outcome = RetentionEvaluator.evaluate(pulled, settings: Self.settings(keepUntagged: KeepCriteria(mostRecentlyPulledCount: 1)), now: now)
        #expect(outcome.untagged("a")?.rule == "retention.policies[0].keepUntagged.mostRecentlyPulledCount")
        #expect(outcome.untagged("b")?.deleted == true && outcome.untagged("c")?.deleted == true)
        #expect(outcome.untagged("fresh")?.rule == "no-statistics")
        let plain = RetentionEvaluator.evaluate(repository, settings: Self.settings(), now: now)
        #expect(plain.untagged("fresh")?.rule == "delay")
        #expect(RetentionEvaluator.evaluate(repository, settings: RetentionSettings(delay: day), now: now).untagged("a")?.rule == "storage.gc.deleteUntagged",
                "with no policies Zot's default GC deletes old untagged manifests")
    }
}
