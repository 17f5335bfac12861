import Foundation
import RegistryCore
import RegistryRetention

/// Zot's `storage.gc` with `storage.retention`, per repository: first retention (tags by `keepTags`, untagged
/// manifests and orphaned referrers, see ``RetentionEvaluator``), applied to `index.json` under the repository lock;
/// then blobs no listed manifest references (directly or through an index) once unreferenced for `delay`; then
/// abandoned uploads. The delay protects pushes in flight: a layer uploaded (or linked) before its manifest is younger
/// than the delay, and a manifest PUT checks its blobs under the same lock GC deletes them with. With
/// `retention.dryRun` nothing at all is deleted (as Zot: no index change, no blob or upload removal); the report still
/// lists every decision. Each repository owns its blob files, so removing one never affects another repository.
public struct GarbageCollector: Sendable {
    /// One thing removed (or, in a dry run, that would be), with the rule that decided.
    public struct Deletion: Sendable, Hashable {
        /// What kind of thing.
        public enum Kind: String, Sendable {
            case tag, manifest, blob, upload
        }

        public var kind: Kind
        public var repository: String
        /// The tag, digest or upload id.
        public var reference: String
        /// The manifest a tag named, when the deletion is a tag.
        public var digest: String?
        public var rule: String
        public var reason: String
        /// Bytes freed (blobs).
        public var bytes: Int64?
    }

    /// What one pass removed.
    public struct Report: Sendable {
        public var blobsRemoved = 0
        public var bytesFreed: Int64 = 0
        public var uploadsRemoved = 0
        public var tagsRemoved = 0
        public var manifestsRemoved = 0
        /// Whether the pass was a dry run (``deletions`` then lists what would have been removed).
        public var dryRun = false
        /// Repositories whose retention could not be evaluated or applied (storage errors; retried next pass).
        public var failures: [String] = []
        /// Every removal, in order.
        public var deletions: [Deletion] = []
        /// The retention decisions of every repository examined.
        public var outcomes: [RetentionOutcome] = []

        public init() {}

        /// Whether the pass removed (or would have removed) nothing.
        public var isEmpty: Bool { deletions.isEmpty }
    }

    let storage: LayoutStorage
    /// Minimum age before an unreferenced blob is removed (`gcDelay`).
    public let delay: TimeInterval
    /// Minimum idle time (since the upload started or was last written) before an abandoned upload is removed.
    public let uploadExpiry: TimeInterval
    /// `storage.retention`.
    public let retention: RetentionSettings
    /// Recorded push/pull activity (none: every tag lacks statistics and is kept when `keepTags` applies).
    public let activity: (any ActivityStore)?

    public init(storage: LayoutStorage, delay: TimeInterval, uploadExpiry: TimeInterval = 24 * 3600,
                retention: RetentionSettings = RetentionSettings(), activity: (any ActivityStore)? = nil) {
        self.storage = storage
        self.delay = delay
        self.uploadExpiry = uploadExpiry
        self.retention = retention
        self.activity = activity
    }

    /// Runs one collection pass over every repository (or those `include` accepts).
    public func collect(now: Date = Date(), include: (@Sendable (String) -> Bool)? = nil) async -> Report {
        var report = Report()
        report.dryRun = retention.dryRun
        for name in (try? await storage.catalog()) ?? [] where include?(name) ?? true {
            guard let repository = RepositoryName(name) else { continue }
            await collect(repository, now: now, into: &report)
        }
        storage.recentBlobs.prune(olderThan: delay, now: now)
        return report
    }

    /// The retention decisions for one repository, without deleting anything (the `retention` command).
    public func evaluate(_ repository: RepositoryName, now: Date = Date()) async throws -> RetentionOutcome? {
        let recorded = try await activity?.activity(of: repository.value) ?? RepositoryActivity()
        guard let snapshot = try await storage.retentionSnapshot(repository, activity: recorded) else { return nil }
        return RetentionEvaluator.evaluate(snapshot, settings: retention, now: now)
    }

    func collect(_ repository: RepositoryName, now: Date, into report: inout Report) async {
        let outcome: RetentionOutcome
        do {
            guard let evaluated = try await evaluate(repository, now: now) else { return }
            outcome = evaluated
        } catch {
            report.failures.append("\(repository): \(error)")
            return
        }
        report.outcomes.append(outcome)
        if retention.dryRun {
            for decision in outcome.decisions where decision.deleted {
                report.deletions.append(Self.deletion(decision, repository))
            }
            return
        }
        let applied: (tags: [String], manifests: [Digest])?
        do {
            applied = try await storage.applyRetention(outcome, repository)
        } catch {
            report.failures.append("\(repository): \(error)")
            applied = nil
        }
        if let (tags, manifests) = applied {
            let removedTags = Set(tags), removedManifests = Set(manifests)
            for decision in outcome.decisions where decision.deleted {
                let applied = decision.tag.map(removedTags.contains) ?? removedManifests.contains(decision.digest)
                if applied { report.deletions.append(Self.deletion(decision, repository)) }
            }
            report.tagsRemoved += tags.count
            report.manifestsRemoved += manifests.count
            try? await activity?.forget(repository: repository.value, tags: tags, digests: manifests)
        }
        await collectBlobs(repository, now: now, into: &report)
        await collectUploads(repository, now: now, into: &report)
    }

    static func deletion(_ decision: RetentionDecision, _ repository: RepositoryName) -> Deletion {
        Deletion(kind: decision.tag == nil ? .manifest : .tag, repository: repository.value,
                 reference: decision.tag ?? decision.digest.description, digest: decision.digest.description,
                 rule: decision.rule, reason: decision.reason)
    }

    /// Unreferenced blobs older than the delay. Candidates are found without the lock; they are deleted in batches
    /// under the repository lock after re-reading what the index references (once per batch, not per blob) and
    /// re-checking that this process did not place the blob again meanwhile.
    func collectBlobs(_ repository: RepositoryName, now: Date, into report: inout Report) async {
        let driver = storage.driver
        let recent = storage.recentBlobs
        let delay = delay
        guard let referenced = try? await referencedDigests(repository) else { return }
        var candidates: [(digest: Digest, path: StoragePath, size: Int64)] = []
        for (digest, path) in await storage.blobFiles(repository) where !referenced.contains(digest) {
            guard let info = try? await driver.stat(path) else { continue }
            let placed = max(info.modificationTime, recent.placedAt(path) ?? .distantPast)
            guard now.timeIntervalSince(placed) >= delay else { continue }
            candidates.append((digest, path, info.size))
        }
        var start = 0
        while start < candidates.count {
            let batch = Array(candidates[start..<min(candidates.count, start + Self.deletionBatch)])
            start += Self.deletionBatch
            let removed = (try? await storage.locks.withLock(repository.value) { () async throws -> [(digest: Digest, path: StoragePath, size: Int64)] in
                // A manifest may have arrived since the scan, or an upload placed the blob again.
                let current = try await referencedDigests(repository)
                var removed: [(digest: Digest, path: StoragePath, size: Int64)] = []
                for candidate in batch where !current.contains(candidate.digest) {
                    if let placed = recent.placedAt(candidate.path), now.timeIntervalSince(placed) < delay { continue }
                    if try await driver.deleteIfPresent(candidate.path) { removed.append(candidate) }
                }
                return removed
            }) ?? []
            for (digest, path, size) in removed {
                await storage.dedupeIndex.remove(digest, path)
                report.blobsRemoved += 1
                report.bytesFreed += size
                report.deletions.append(Deletion(kind: .blob, repository: repository.value, reference: digest.description, digest: nil,
                                                 rule: "storage.gcDelay", reason: "referenced by no listed manifest", bytes: size))
            }
        }
    }

    /// Blobs deleted per hold of the repository lock (a push to the repository waits at most one batch).
    static let deletionBatch = 512

    func collectUploads(_ repository: RepositoryName, now: Date, into report: inout Report) async {
        let driver = storage.driver
        guard let uploads = try? StorageLayout.uploads(repository) else { return }
        for marker in (try? await driver.listIfPresent(uploads)) ?? [] {
            guard let id = UploadID(marker.lastComponent), let info = try? await driver.stat(marker) else { continue }
            // Abandoned means idle: measured from the last write this process saw, else from the start; never while
            // a request is writing it.
            let activity = await storage.sessions.activity(id)
            if activity?.busy == true { continue }
            let lastUse = max(info.modificationTime, activity?.last ?? .distantPast)
            guard now.timeIntervalSince(lastUse) >= uploadExpiry else { continue }
            try? await storage.cancelUpload(repository, id)
            report.uploadsRemoved += 1
            report.deletions.append(Deletion(kind: .upload, repository: repository.value, reference: id.value, digest: nil,
                                             rule: "storage.gcDelay", reason: "upload idle since \(lastUse)"))
        }
    }

    func referencedDigests(_ repository: RepositoryName) async throws -> Set<Digest> {
        try await storage.referencedDigests(repository)
    }
}
