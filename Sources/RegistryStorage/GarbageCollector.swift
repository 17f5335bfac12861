import Foundation
import RegistryCore

/// Zot's `storage.gc`: per repository, removes blobs that no manifest listed in its `index.json`
/// references (directly, or through an index's child manifests), and abandoned uploads, once
/// they are older than the delay. The delay protects pushes in flight: a layer uploaded before
/// its manifest is younger than the delay and is left alone. Each repository owns its blob
/// files, so removing one never affects another repository (hard links keep shared content).
public struct GarbageCollector: Sendable {
    /// What one pass removed.
    public struct Report: Sendable, Equatable {
        public var blobsRemoved = 0
        public var bytesFreed: Int64 = 0
        public var uploadsRemoved = 0

        public init() {}

        /// Whether the pass removed anything.
        public var isEmpty: Bool { self == Report() }
    }

    let storage: LayoutStorage
    /// Minimum age before an unreferenced blob is removed.
    public let delay: TimeInterval
    /// Minimum idle time (since the upload started or was last written) before an abandoned upload is removed.
    public let uploadExpiry: TimeInterval

    public init(storage: LayoutStorage, delay: TimeInterval, uploadExpiry: TimeInterval = 24 * 3600) {
        self.storage = storage
        self.delay = delay
        self.uploadExpiry = uploadExpiry
    }

    /// Runs one collection pass.
    public func collect(now: Date = Date()) async -> Report {
        var report = Report()
        for name in (try? await storage.catalog()) ?? [] {
            guard let repository = RepositoryName(name) else { continue }
            await collect(repository, now: now, into: &report)
        }
        return report
    }

    func collect(_ repository: RepositoryName, now: Date, into report: inout Report) async {
        let driver = storage.driver
        guard let referenced = try? await referencedDigests(repository) else { return }
        for (digest, path) in await storage.blobFiles(repository) where !referenced.contains(digest) {
            guard let info = try? await driver.stat(path), now.timeIntervalSince(info.modificationTime) >= delay else { continue }
            // Re-check under the repository lock: a manifest may have arrived since the scan.
            let removed = (try? await storage.locks.withLock(repository.value) {
                guard try await !referencedDigests(repository).contains(digest) else { return false }
                return try await driver.deleteIfPresent(path)
            }) ?? false
            if removed {
                await storage.dedupeIndex.remove(digest, path)
                report.blobsRemoved += 1
                report.bytesFreed += info.size
            }
        }
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
        }
    }

    func referencedDigests(_ repository: RepositoryName) async throws -> Set<Digest> {
        try await storage.referencedDigests(repository)
    }
}
