import Foundation
import Logging
import RegistryCore
import RegistryStorage

/// Periodic mirroring: every `pollInterval`, each registry entry's matching repositories (the upstream `_catalog`
/// where it allows listing, else the static names of the content prefixes) and their filtered tags are copied with
/// all their blobs. Runs are sequential over all entries, so there is never more than one at a time.
public final class PeriodicSync: Sendable {
    let registries: [SyncedRegistry]
    let storage: any BlobStore & ManifestStore
    let observer: (any SyncObserver)?
    let logger: Logger
    let maxDownloadBytes: Int64
    let downloadDir: String?

    public init(registries: [SyncedRegistry], storage: any BlobStore & ManifestStore, maxDownloadBytes: Int64,
                downloadDir: String?, observer: (any SyncObserver)?, logger: Logger) {
        self.registries = registries.filter { $0.settings.pollIntervalSeconds != nil }
        self.storage = storage
        self.observer = observer
        self.logger = logger
        self.maxDownloadBytes = maxDownloadBytes
        self.downloadDir = downloadDir
    }

    /// Runs until cancelled: each entry at start, then whenever its `pollInterval` has passed since its last run began.
    public func run() async {
        guard !registries.isEmpty else { return }
        var due = Array(repeating: ContinuousClock.now, count: registries.count)
        while !Task.isCancelled {
            for (index, registry) in registries.enumerated() where due[index] <= .now {
                due[index] = .now + .seconds(registry.settings.pollIntervalSeconds ?? 3600)
                _ = await runOnce(registry)
                if Task.isCancelled { return }
            }
            guard let next = due.min() else { return }
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }

    /// One run of one entry; returns (images synced, failures).
    @discardableResult
    public func runOnce(_ registry: SyncedRegistry) async -> (images: Int, failures: Int) {
        let started = ContinuousClock.now
        let mirror = OnDemandSync(registries: [registry], storage: storage, maxDownloadBytes: maxDownloadBytes,
                                  downloadDir: downloadDir, observer: observer, logger: logger, onDemandOnly: false)
        var images = 0, failures = 0
        let upstreamName = registry.settings.urls.first ?? "?"
        logger.info("periodic sync started", metadata: ["upstream": "\(upstreamName)"])
        for client in registry.clients {
            let repositories: [String]
            do {
                repositories = try await self.repositories(registry, client)
            } catch {
                failures += 1
                logger.warning("periodic sync cannot list upstream repositories", metadata: ["upstream": "\(client.endpoint)", "reason": "\(error)"])
                observer?.upstreamFailed(upstream: client.endpoint.base, repository: "", reason: "\(error)")
                continue
            }
            // Names from the upstream go into URL paths: only valid repository names are used.
            for repository in repositories where RepositoryName.isValid(repository) {
                guard let local = registry.mapper.localName(forUpstream: repository).flatMap({ RepositoryName($0) }) else { continue }
                do {
                    let tags = registry.mapper.filterTags(upstream: repository, try await client.tags(repository))
                        .filter { !OnDemandSync.isSignatureTag(.tag($0)) && Reference.isValidTag($0) }
                    for tag in tags {
                        do {
                            if try await mirrorImage(tag, local: local, upstream: repository, client: client, mirror: mirror) { images += 1 }
                        } catch {
                            failures += 1
                            logger.warning("periodic sync of an image failed", metadata: [
                                "upstream": "\(client.endpoint)", "repository": "\(repository)", "tag": "\(tag)", "reason": "\(error)"])
                        }
                    }
                } catch {
                    failures += 1
                    logger.warning("periodic sync cannot list tags", metadata: ["upstream": "\(client.endpoint)", "repository": "\(repository)", "reason": "\(error)"])
                }
            }
            break
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        logger.info("periodic sync finished", metadata: ["upstream": "\(upstreamName)", "images": "\(images)", "failures": "\(failures)",
                                                         "seconds": "\(String(format: "%.2f", seconds))"])
        observer?.periodicRun(upstream: upstreamName, images: images, failures: failures, seconds: seconds)
        return (images, failures)
    }

    /// The upstream repositories to mirror: the filtered `_catalog`, or the static prefixes when listing is refused.
    func repositories(_ registry: SyncedRegistry, _ client: UpstreamClient) async throws -> [String] {
        if let catalog = try await client.catalog() {
            return catalog.filter(registry.mapper.matches(upstream:))
        }
        return registry.settings.content.compactMap { content in
            let prefix = content.prefix.trimmingSlashes
            let meta = prefix.contains { "*?[{\\".contains($0) }
            return meta || prefix.isEmpty ? nil : prefix
        }
    }

    /// Copies one tag with its blobs (and its platform manifests' blobs); false when already up to date.
    func mirrorImage(_ tag: String, local: RepositoryName, upstream: String, client: UpstreamClient, mirror: OnDemandSync) async throws -> Bool {
        let upstreamDigest = try await client.manifestDigest(upstream, tag)
        if let cached = try await storage.resolveTag(local, tag), cached == upstreamDigest,
           try await isComplete(local, .digest(cached)) {
            return false
        }
        guard try await mirror.syncManifest(local, .tag(tag), requester: nil) else { return false }
        try await fetchMissingBlobs(local, .digest(upstreamDigest), mirror: mirror)
        return true
    }

    private func fetchMissingBlobs(_ repository: RepositoryName, _ reference: Reference, mirror: OnDemandSync) async throws {
        let stored = try await storage.manifest(repository, reference)
        let parsed = try ParsedManifest.parse(stored.body, contentType: stored.mediaType)
        for blob in parsed.blobs where try await storage.blobSize(repository, blob) == nil {
            _ = try await mirror.flights.run("blob|\(repository)|\(blob)") {
                try await mirror.syncBlob(repository, blob, requester: nil)
            }
        }
        for child in parsed.manifests {
            try await fetchMissingBlobs(repository, .digest(child), mirror: mirror)
        }
    }

    private func isComplete(_ repository: RepositoryName, _ reference: Reference) async throws -> Bool {
        guard let stored = try? await storage.manifest(repository, reference),
              let parsed = try? ParsedManifest.parse(stored.body, contentType: stored.mediaType) else { return false }
        for blob in parsed.blobs where try await storage.blobSize(repository, blob) == nil { return false }
        for child in parsed.manifests where !(try await isComplete(repository, .digest(child))) { return false }
        return true
    }
}
