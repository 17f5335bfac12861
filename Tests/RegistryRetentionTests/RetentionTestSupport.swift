import Foundation
import RegistryCore
import RegistryPolicy
@testable import RegistryRetention

let now = Date(timeIntervalSince1970: 1_800_000_000)
let day: TimeInterval = 24 * 3600

func digest(_ name: String) -> Digest { Digest.of(Array(name.utf8)) }
func daysAgo(_ days: Double) -> Date { now.addingTimeInterval(-days * day) }

/// A tag pushed `pushed` days ago (nil: no statistics), pulled `pulled` days ago; its manifest is `<tag>-manifest`.
struct TagFixture {
    var tag: String
    var pushed: Double?
    var pulled: Double?
    var manifest: String?
}

/// A repository of tags (each its own image manifest, stored `stored` days ago) plus extra untagged manifests.
func snapshot(_ name: String, tags: [TagFixture], untagged: [(String, ManifestFacts)] = [], stored: Double = 365) -> RepositorySnapshot {
    var entries: [ListedManifest] = []
    var facts: [Digest: ManifestFacts] = [:]
    var activity = RepositoryActivity()
    for fixture in tags {
        let manifest = digest(fixture.manifest ?? "\(fixture.tag)-manifest")
        entries.append(ListedManifest(digest: manifest, mediaType: MediaType.ociManifest, tag: fixture.tag))
        facts[manifest] = facts[manifest] ?? ManifestFacts(storedAt: daysAgo(stored))
        if let pushed = fixture.pushed {
            activity.tags[fixture.tag] = Activity(pushedAt: daysAgo(pushed), pushedBy: "ci", pulledAt: fixture.pulled.map(daysAgo))
            activity.tagDigests[fixture.tag] = manifest
        }
    }
    for (label, fact) in untagged {
        entries.append(ListedManifest(digest: digest(label), mediaType: MediaType.ociManifest))
        facts[digest(label)] = fact
    }
    return RepositorySnapshot(name: name, entries: entries, manifests: facts, activity: activity)
}

func glob(_ pattern: String) -> GlobPattern { try! GlobPattern(pattern) }
func patterns(_ sources: String...) -> [TagPattern] { sources.map { try! TagPattern($0) } }

extension RetentionOutcome {
    /// Tag → (kept?, rule).
    var tags: [String: (kept: Bool, rule: String)] {
        Dictionary(uniqueKeysWithValues: decisions.compactMap { decision in decision.tag.map { ($0, (!decision.deleted, decision.rule)) } })
    }

    func untagged(_ label: String) -> RetentionDecision? {
        decisions.first { $0.tag == nil && $0.digest == digest(label) }
    }

    var keptTags: [String] { tags.filter(\.value.kept).keys.sorted() }
}
