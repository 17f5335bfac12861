import Foundation
import RegistryCore

/// What the retention evaluator sees of one repository: its `index.json` entries, what is known of each listed
/// manifest, and the recorded push/pull activity. Built by GC (from storage and the activity store) or by tests and
/// benchmarks (synthetic); the evaluator itself does no I/O.
public struct RepositorySnapshot: Sendable {
    /// The repository name.
    public var name: String
    /// The `index.json` entries, in file order.
    public var entries: [ListedManifest]
    /// Facts about listed manifests (and the children of listed indexes), by digest.
    public var manifests: [Digest: ManifestFacts]
    /// Push/pull activity recorded for this repository.
    public var activity: RepositoryActivity

    /// A snapshot with the given contents.
    public init(name: String, entries: [ListedManifest], manifests: [Digest: ManifestFacts] = [:],
                activity: RepositoryActivity = RepositoryActivity()) {
        self.name = name
        self.entries = entries
        self.manifests = manifests
        self.activity = activity
    }
}

/// One `manifests` entry of `index.json`.
public struct ListedManifest: Sendable, Hashable {
    /// The manifest's digest.
    public var digest: Digest
    /// The entry's media type.
    public var mediaType: String
    /// Its `org.opencontainers.image.ref.name`, when tagged.
    public var tag: String?

    /// An entry.
    public init(digest: Digest, mediaType: String, tag: String? = nil) {
        self.digest = digest
        self.mediaType = mediaType
        self.tag = tag
    }
}

/// What GC read from a manifest blob.
public struct ManifestFacts: Sendable, Hashable {
    /// The `subject` (the manifest is a referrer of it), if any.
    public var subject: Digest?
    /// Child manifests (for an index).
    public var children: [Digest]
    /// When the manifest blob was stored (its modification time); `nil` when unknown.
    public var storedAt: Date?

    /// Facts with the given values.
    public init(subject: Digest? = nil, children: [Digest] = [], storedAt: Date? = nil) {
        self.subject = subject
        self.children = children
        self.storedAt = storedAt
    }
}

/// When something was pushed (and by whom) and last pulled.
public struct Activity: Sendable, Hashable, Codable {
    /// Time of the push (for a tag: when it was last pointed at its manifest).
    public var pushedAt: Date?
    /// Who pushed (user name), when known.
    public var pushedBy: String?
    /// Time of the last pull.
    public var pulledAt: Date?

    /// Activity with the given values.
    public init(pushedAt: Date? = nil, pushedBy: String? = nil, pulledAt: Date? = nil) {
        self.pushedAt = pushedAt
        self.pushedBy = pushedBy
        self.pulledAt = pulledAt
    }
}

/// A repository's recorded activity, per tag and per manifest digest.
public struct RepositoryActivity: Sendable, Hashable {
    /// By tag.
    public var tags: [String: Activity]
    /// By manifest digest.
    public var manifests: [Digest: Activity]
    /// The manifest each tag's activity was recorded for.
    public var tagDigests: [String: Digest]

    /// Activity with the given values.
    public init(tags: [String: Activity] = [:], manifests: [Digest: Activity] = [:], tagDigests: [String: Digest] = [:]) {
        self.tags = tags
        self.manifests = manifests
        self.tagDigests = tagDigests
    }

    /// A tag's activity as retention reads it: its own push time (else its manifest's), and the later of the tag's
    /// and the manifest's last pull.
    /// Tag activity recorded for another manifest (the tag was moved by a push this store did not see) is ignored.
    public func forTag(_ tag: String, digest: Digest) -> Activity {
        let own = tagDigests[tag].map { $0 == digest } ?? true ? tags[tag] : nil
        let manifest = manifests[digest]
        let pulled = [own?.pulledAt, manifest?.pulledAt].compactMap { $0 }.max()
        return Activity(pushedAt: own?.pushedAt ?? manifest?.pushedAt, pushedBy: own?.pushedBy ?? manifest?.pushedBy, pulledAt: pulled)
    }
}
