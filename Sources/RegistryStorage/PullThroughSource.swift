import NIOCore
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
    /// Starts the upstream fetch of a missing blob and returns its bytes as they arrive, for the request that started
    /// the transfer; nil when another request's transfer was already running (or the blob is now stored), so the
    /// caller reads storage. Throws as ``fetchBlob(_:_:requester:)`` when no upstream has it.
    func streamBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> StreamingBlob?
    /// Brings the upstream's referrers of `subject` (OCI referrers API, cosign tags) before a referrers listing is
    /// answered; failures are logged, never thrown (the local listing is served either way).
    func fetchReferrers(_ repository: RepositoryName, _ subject: Digest, requester: Identity) async
    /// Counts a request for covered content that storage answered.
    func noteCacheHit(_ repository: RepositoryName)
}

/// A blob's bytes as they arrive from upstream (its length announced up front).
public struct StreamingBlob: Sendable {
    public let size: Int64
    public let body: StreamingBlobBody

    public init(size: Int64, body: StreamingBlobBody) {
        self.size = size
        self.body = body
    }
}

/// The client side of a streamed blob: the chunks, and a callback told how many bytes the client has taken (the
/// producer paces itself on it).
public struct StreamingBlobBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let chunks: AsyncThrowingStream<ByteBuffer, any Error>
    let consumed: @Sendable (Int) -> Void

    public init(chunks: AsyncThrowingStream<ByteBuffer, any Error>, consumed: @escaping @Sendable (Int) -> Void) {
        self.chunks = chunks
        self.consumed = consumed
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let consumed: @Sendable (Int) -> Void

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            consumed(chunk.readableBytes)
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: chunks.makeAsyncIterator(), consumed: consumed) }
}
