import RegistryCore

/// Where content missing from storage can come from (the sync extension's on-demand mode). The HTTP handlers call it
/// only after the caller's authorization on the local name has been checked, so nothing here decides access.
public protocol PullThroughSource: Sendable {
    /// Whether `repository` lies under a mapped prefix of an on-demand upstream.
    func covers(_ repository: RepositoryName) -> Bool
    /// Fetches a missing manifest (by tag or digest) into storage; false when no upstream has it.
    func fetchManifest(_ repository: RepositoryName, _ reference: Reference, requester: Identity) async throws -> Bool
    /// Re-checks a cached tag upstream when it is stale, updating it when the mapping allows. Never throws: when the
    /// upstream fails the cached copy stays and the failure is logged.
    func refreshTag(_ repository: RepositoryName, _ tag: String, requester: Identity) async
    /// Fetches a missing blob into storage; false when no upstream has it.
    func fetchBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> Bool
    /// Counts a request for covered content that storage answered.
    func noteCacheHit(_ repository: RepositoryName)
}
