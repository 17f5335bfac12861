import NIOCore
import RegistryCore

/// Blob storage of one registry: per-repository content-addressed blobs (deduplicated across
/// repositories when configured) and resumable uploads that are hashed while they stream.
public protocol BlobStore: Sendable {
    /// Size of `digest` if the repository holds it (manifests are blobs too).
    func blobSize(_ repository: RepositoryName, _ digest: Digest) async throws -> Int64?
    /// A streaming read of part of a blob (`length` nil: to the end).
    func readBlob(_ repository: RepositoryName, _ digest: Digest, offset: Int64, length: Int64?) async throws -> StorageReadStream
    /// The local file of a blob when the driver has one (the HTTP layer's fast path), else nil.
    func localBlobFile(_ repository: RepositoryName, _ digest: Digest) -> String?
    /// Makes an existing blob part of `repository` (cross-repository mount); false if absent from `source`.
    func mountBlob(_ digest: Digest, into repository: RepositoryName, from source: RepositoryName) async throws -> Bool
    /// Removes the blob from the repository (other repositories' copies or links are unaffected).
    func deleteBlob(_ repository: RepositoryName, _ digest: Digest) async throws
    /// Starts an upload session.
    func startUpload(_ repository: RepositoryName) async throws -> UploadID
    /// Bytes received so far.
    func uploadOffset(_ repository: RepositoryName, _ id: UploadID) async throws -> Int64
    /// Appends a streamed chunk; `expectedOffset` (from Content-Range) must equal the current size.
    func appendUpload<Body: AsyncSequence & Sendable>(_ repository: RepositoryName, _ id: UploadID, expectedOffset: Int64?, body: Body) async throws -> Int64 where Body.Element == ByteBuffer
    /// Verifies the digest and moves the upload into place.
    func finishUpload(_ repository: RepositoryName, _ id: UploadID, digest: Digest) async throws -> Int64
    /// Abandons an upload.
    func cancelUpload(_ repository: RepositoryName, _ id: UploadID) async throws
}
