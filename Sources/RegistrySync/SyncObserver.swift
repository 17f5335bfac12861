import RegistryCore

/// An upstream transfer that landed in storage.
public struct UpstreamFetch: Sendable, Equatable {
    public enum Kind: String, Sendable { case manifest, blob }
    /// Who triggered it: the requesting identity on demand, nil for the periodic sync.
    public let requester: Identity?
    public let upstream: String
    public let upstreamRepository: String
    public let repository: String
    public let kind: Kind
    public let digest: Digest
    public let bytes: Int64
}

/// Receives what sync does, for audit events, logs and metrics (implemented in RegistryApp).
public protocol SyncObserver: Sendable {
    func fetched(_ fetch: UpstreamFetch)
    func upstreamFailed(upstream: String, repository: String, reason: String)
    func cacheHit(repository: String)
    func cacheMiss(repository: String)
    func periodicRun(upstream: String, images: Int, failures: Int, seconds: Double)
}
