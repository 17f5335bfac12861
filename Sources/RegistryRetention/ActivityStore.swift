import Foundation
import RegistryCore

/// One push or pull of a manifest, by tag or by digest.
public struct ActivityEvent: Sendable, Hashable {
    /// Push (with the pusher's user name, when authenticated) or pull.
    public enum Kind: Sendable, Hashable {
        case push(user: String?)
        case pull
        /// The tag (or, without a tag, the manifest and every tag recorded for it) was deleted through the API.
        case delete
    }

    public var repository: String
    public var digest: Digest
    /// The tag used, when the request named one.
    public var tag: String?
    public var kind: Kind
    public var time: Date

    /// An event.
    public init(repository: String, digest: Digest, tag: String?, kind: Kind, time: Date) {
        self.repository = repository
        self.digest = digest
        self.tag = tag
        self.kind = kind
        self.time = time
    }
}

/// Where push/pull activity is kept (the metadata database for a server, memory for tests and tools). Every
/// implementation merges events the same way (checked by the contract tests):
/// - a manifest keeps its *first* push time and pusher, and its latest pull time;
/// - a tag's push time is when it was last pointed at a different manifest (a re-push of the same manifest keeps it);
///   a pull by tag advances the tag's pull time;
/// - a delete forgets the tag, or (by digest) the manifest and the tags recorded for it, so a later push starts afresh.
public protocol ActivityStore: Sendable {
    /// Merges events (in order).
    func record(_ events: [ActivityEvent]) async throws
    /// Everything recorded for one repository.
    func activity(of repository: String) async throws -> RepositoryActivity
    /// Forgets tags and manifests that were deleted.
    func forget(repository: String, tags: [String], digests: [Digest]) async throws
}

/// The merge rules of ``ActivityStore`` on plain values, shared by the in-memory store and the tests.
public enum ActivityMerge {
    /// Applies one event to a repository's activity.
    public static func apply(_ event: ActivityEvent, to activity: inout RepositoryActivity) {
        if case .delete = event.kind {
            if let tag = event.tag {
                activity.tags[tag] = nil
                activity.tagDigests[tag] = nil
            } else {
                activity.manifests[event.digest] = nil
                for (tag, digest) in activity.tagDigests where digest == event.digest {
                    activity.tags[tag] = nil
                    activity.tagDigests[tag] = nil
                }
            }
            return
        }
        var manifest = activity.manifests[event.digest] ?? Activity()
        switch event.kind {
        case .delete: return
        case .push(let user):
            if manifest.pushedAt == nil {
                manifest.pushedAt = event.time
                manifest.pushedBy = user
            }
            if let tag = event.tag {
                let previous = activity.tags[tag]
                let samePointer = previous.map { activity.tagDigests[tag] == event.digest && $0.pushedAt != nil } ?? false
                if !samePointer {
                    activity.tags[tag] = Activity(pushedAt: event.time, pushedBy: user, pulledAt: nil)
                    activity.tagDigests[tag] = event.digest
                }
            }
        case .pull:
            manifest.pulledAt = max(manifest.pulledAt ?? .distantPast, event.time)
            if let tag = event.tag {
                var tagActivity = activity.tags[tag] ?? Activity()
                tagActivity.pulledAt = max(tagActivity.pulledAt ?? .distantPast, event.time)
                activity.tags[tag] = tagActivity
                if activity.tagDigests[tag] == nil { activity.tagDigests[tag] = event.digest }
            }
        }
        activity.manifests[event.digest] = manifest
    }
}

/// An ``ActivityStore`` in memory.
public actor InMemoryActivityStore: ActivityStore {
    private var repositories: [String: RepositoryActivity] = [:]

    /// An empty store.
    public init() {}

    public func record(_ events: [ActivityEvent]) {
        for event in events { ActivityMerge.apply(event, to: &repositories[event.repository, default: RepositoryActivity()]) }
    }

    public func activity(of repository: String) -> RepositoryActivity {
        repositories[repository] ?? RepositoryActivity()
    }

    public func forget(repository: String, tags: [String], digests: [Digest]) {
        for tag in tags {
            repositories[repository]?.tags[tag] = nil
            repositories[repository]?.tagDigests[tag] = nil
        }
        for digest in digests { repositories[repository]?.manifests[digest] = nil }
    }
}
