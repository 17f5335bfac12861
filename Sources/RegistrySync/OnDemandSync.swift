import Foundation
import Logging
import NIOCore
import RegistryCore
import RegistryStorage
import Synchronization

/// The pull-through cache: a manifest or blob missing locally, under a mapped prefix of an `onDemand` registry, is
/// fetched from the first upstream URL that has it, verified against its digest and stored through the storage layer
/// (so every driver works), then served by the normal handlers. One upstream transfer per key however many clients
/// ask at once. The pipeline has already authorized the caller on the local name before any of this runs.
public final class OnDemandSync: PullThroughSource {
    let registries: [SyncedRegistry]
    let storage: any BlobStore & ManifestStore
    let observer: (any SyncObserver)?
    let logger: Logger
    let flights = SingleFlight()
    let budget: ByteBudget
    let staging: BlobStaging?
    private let checkedAt = Mutex<[String: Date]>([:])

    /// - Parameter onDemandOnly: keep only `onDemand` entries (the pull-through cache); the periodic sync passes false.
    public init(registries: [SyncedRegistry], storage: any BlobStore & ManifestStore, maxDownloadBytes: Int64,
                downloadDir: String?, observer: (any SyncObserver)?, logger: Logger, onDemandOnly: Bool = true) {
        self.registries = onDemandOnly ? registries.filter(\.settings.onDemand) : registries
        self.storage = storage
        self.observer = observer
        self.logger = logger
        self.budget = ByteBudget(limit: maxDownloadBytes)
        self.staging = downloadDir.map(BlobStaging.init)
    }

    /// Each on-demand registry that maps the local name, with the upstream name.
    func candidates(_ repository: RepositoryName) -> [(SyncedRegistry, String, SyncContentMapper.Rule?)] {
        registries.compactMap { registry in
            registry.mapper.upstreamName(forLocal: repository.value).map { (registry, $0.name, $0.rule) }
        }
    }

    public func covers(_ repository: RepositoryName) -> Bool { !candidates(repository).isEmpty }

    public func noteCacheHit(_ repository: RepositoryName) { observer?.cacheHit(repository: repository.value) }

    // MARK: Manifests

    public func fetchManifest(_ repository: RepositoryName, _ reference: Reference, requester: Identity) async throws -> Bool {
        observer?.cacheMiss(repository: repository.value)
        return try await flights.run("manifest|\(repository)|\(reference)") { [self] in
            // A flight that finished between the caller's miss and this one already stored it.
            if try await isStored(repository, reference) { return true }
            return try await syncManifest(repository, reference, requester: requester)
        }
    }

    func isStored(_ repository: RepositoryName, _ reference: Reference) async throws -> Bool {
        switch reference {
        case .tag(let tag): return try await storage.resolveTag(repository, tag) != nil
        case .digest: return (try? await storage.manifest(repository, reference)) != nil
        }
    }

    /// Tries every candidate URL in order; not-found and refused answers pass to the next, other failures are
    /// remembered and reported when nothing had the manifest.
    func syncManifest(_ repository: RepositoryName, _ reference: Reference, requester: Identity?) async throws -> Bool {
        var failure: UpstreamError?
        for (registry, name, rule) in candidates(repository) {
            for client in registry.clients {
                do {
                    let document = try await client.manifest(name, reference.description)
                    try await store(document, reference: reference, into: repository, from: client, name: name, registry: registry,
                                    allowTagUpdates: rule?.config.allowTagUpdates ?? false, requester: requester)
                    markChecked(repository, reference)
                    return true
                } catch let error as UpstreamError {
                    switch error {
                    case .notFound, .unauthorized: continue
                    default:
                        failure = error
                        report(client, repository, error)
                    }
                }
            }
        }
        if let failure { throw RegistryError(.manifestUnknown, detail: "\(repository):\(reference) is not cached and \(failure)") }
        return false
    }

    /// Stores a verified manifest; an index brings its platform manifests (their blobs come on demand); referrers and
    /// cosign tags follow in the background.
    func store(_ document: UpstreamManifest, reference: Reference, into repository: RepositoryName, from client: UpstreamClient,
               name: String, registry: SyncedRegistry, allowTagUpdates: Bool, requester: Identity?) async throws {
        let parsed: ParsedManifest
        do {
            parsed = try ParsedManifest.parse(document.body, contentType: document.mediaType)
        } catch {
            throw UpstreamError.rejected("\(name):\(reference): \(error.detail ?? error.message)")
        }
        if registry.settings.onlySigned, !Self.isSignatureTag(reference), parsed.subject == nil {
            guard try await SignatureCheck.isSigned(client: client, name: name, digest: document.digest) else {
                throw UpstreamError.rejected("\(name)@\(document.digest) has no cosign signature and onlySigned is set")
            }
        }
        for child in parsed.manifests where try await storage.blobSize(repository, child) == nil {
            let childDocument = try await client.manifest(name, child.description)
            let childParsed = try ParsedManifest.parse(childDocument.body, contentType: childDocument.mediaType)
            _ = try await storage.putMirroredManifest(repository, reference: .digest(child), body: childDocument.body, manifest: childParsed)
            observer?.fetched(UpstreamFetch(requester: requester, upstream: client.endpoint.base, upstreamRepository: name,
                                            repository: repository.value, kind: .manifest, digest: child, bytes: Int64(childDocument.body.count)))
        }
        var target = reference
        if case .tag(let tag) = reference, let existing = try await storage.resolveTag(repository, tag), existing != document.digest,
           !allowTagUpdates {
            logger.warning("upstream moved a cached tag; the cached tag is kept (allowTagUpdates is false)", metadata: [
                "repository": "\(repository)", "tag": "\(tag)", "cached": "\(existing)", "upstream": "\(document.digest)"])
            target = .digest(document.digest)
        }
        _ = try await storage.putMirroredManifest(repository, reference: target, body: document.body, manifest: parsed)
        observer?.fetched(UpstreamFetch(requester: requester, upstream: client.endpoint.base, upstreamRepository: name,
                                        repository: repository.value, kind: .manifest, digest: document.digest, bytes: Int64(document.body.count)))
        if !Self.isSignatureTag(reference) {
            let digest = document.digest
            Task.detached { [self] in
                await syncReferrers(of: digest, repository: repository, client: client, name: name, registry: registry, requester: requester)
            }
        }
    }

    static func isSignatureTag(_ reference: Reference) -> Bool {
        guard case .tag(let tag) = reference else { return false }
        return tag.hasPrefix("sha256-") && (tag.hasSuffix(".sig") || tag.hasSuffix(".sbom") || tag.hasSuffix(".att"))
    }

    // MARK: Tag staleness

    public func refreshTag(_ repository: RepositoryName, _ tag: String, requester: Identity) async {
        let reference = Reference.tag(tag)
        guard let (registry, name, rule) = candidates(repository).first, let client = registry.clients.first,
              isStale(repository, reference, interval: registry.settings.manifestCheckIntervalSeconds),
              let cached = try? await storage.resolveTag(repository, tag) else { return }
        let upstream: Digest
        do {
            upstream = try await client.manifestDigest(name, tag, retrying: false)
        } catch let error as UpstreamError {
            logger.warning("upstream check failed; serving the cached tag", metadata: [
                "repository": "\(repository)", "tag": "\(tag)", "upstream": "\(client.endpoint)", "reason": "\(error)"])
            if case .notFound = error { return }
            report(client, repository, error)
            return
        } catch {
            return
        }
        markChecked(repository, reference)
        guard upstream != cached else { return }
        guard rule?.config.allowTagUpdates ?? false else {
            logger.warning("upstream moved a cached tag; serving the cached image (allowTagUpdates is false)", metadata: [
                "repository": "\(repository)", "tag": "\(tag)", "cached": "\(cached)", "upstream": "\(upstream)"])
            return
        }
        do {
            _ = try await flights.run("manifest|\(repository)|\(reference)") { [self] in
                try await syncManifest(repository, reference, requester: requester)
            }
            logger.info("cached tag updated from upstream", metadata: ["repository": "\(repository)", "tag": "\(tag)", "digest": "\(upstream)"])
        } catch {
            logger.warning("updating a cached tag failed; serving the cached image", metadata: [
                "repository": "\(repository)", "tag": "\(tag)", "reason": "\(error)"])
        }
    }

    func isStale(_ repository: RepositoryName, _ reference: Reference, interval: Double) -> Bool {
        guard interval > 0 else { return true }
        let last = checkedAt.withLock { $0["\(repository):\(reference)"] }
        return last.map { Date().timeIntervalSince($0) >= interval } ?? true
    }

    func markChecked(_ repository: RepositoryName, _ reference: Reference) {
        guard case .tag = reference else { return }
        checkedAt.withLock { table in
            if table.count > 100_000 { table.removeAll() }
            table["\(repository):\(reference)"] = Date()
        }
    }

    func report(_ client: UpstreamClient, _ repository: RepositoryName, _ error: UpstreamError) {
        logger.warning("upstream request failed", metadata: ["upstream": "\(client.endpoint)", "repository": "\(repository)", "reason": "\(error)"])
        observer?.upstreamFailed(upstream: client.endpoint.base, repository: repository.value, reason: "\(error)")
    }
}
