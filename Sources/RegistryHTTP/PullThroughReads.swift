import RegistryCore
import RegistryStorage

/// Reads that fall back to the pull-through cache: a miss under a mapped prefix is fetched from upstream, then read
/// from storage as any other content. Authorization has already been decided for the local name.
enum PullThroughReads {
    static func manifest(_ repository: RepositoryName, _ reference: Reference, storage: any RegistryStorageBackend,
                         source: any PullThroughSource, requester: Identity) async throws -> StoredManifest {
        if case .tag(let tag) = reference, try await storage.resolveTag(repository, tag) != nil {
            await source.refreshTag(repository, tag, requester: requester)
        }
        do {
            let stored = try await storage.manifest(repository, reference)
            source.noteCacheHit(repository)
            return stored
        } catch let error as RegistryError where error.code == .manifestUnknown {
            guard try await source.fetchManifest(repository, reference, requester: requester) else { throw error }
            return try await storage.manifest(repository, reference)
        }
    }

    static func blobSize(_ repository: RepositoryName, _ digest: Digest, known: Int64?, storage: any RegistryStorageBackend,
                         source: any PullThroughSource, requester: Identity) async throws -> Int64? {
        if let known {
            source.noteCacheHit(repository)
            return known
        }
        guard try await source.fetchBlob(repository, digest, requester: requester) else { return nil }
        return try await storage.blobSize(repository, digest)
    }
}
