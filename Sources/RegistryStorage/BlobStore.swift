import NIOCore
import NIOFileSystem
import RegistryCore

/// Blob storage of one registry: shared content-addressed blobs, per-repository membership,
/// and resumable uploads that are hashed while they stream to disk.
public protocol BlobStore: Sendable {
    /// Size of `digest` if the repository holds it.
    func blobSize(_ repository: RepositoryName, _ digest: Digest) -> Int64?
    /// Filesystem path of the blob content (only meaningful when `blobSize` is non-nil).
    func blobPath(_ digest: Digest) -> String
    /// Links an existing blob into `repository` (cross-repository mount); false if absent from `source`.
    func mountBlob(_ digest: Digest, into repository: RepositoryName, from source: RepositoryName?) throws -> Bool
    /// Removes the blob from the repository (content is shared and reclaimed by GC).
    func deleteBlob(_ repository: RepositoryName, _ digest: Digest) throws
    /// Starts an upload session.
    func startUpload(_ repository: RepositoryName) async throws -> UploadID
    /// Bytes received so far.
    func uploadOffset(_ repository: RepositoryName, _ id: UploadID) async throws(RegistryError) -> Int64
    /// Appends a streamed chunk; `expectedOffset` (from Content-Range) must equal the current size.
    func appendUpload<Body: AsyncSequence & Sendable>(_ repository: RepositoryName, _ id: UploadID, expectedOffset: Int64?, body: Body) async throws -> Int64 where Body.Element == ByteBuffer
    /// Verifies the digest and moves the upload into place.
    func finishUpload(_ repository: RepositoryName, _ id: UploadID, digest: Digest) async throws -> Int64
    /// Abandons an upload.
    func cancelUpload(_ repository: RepositoryName, _ id: UploadID) async throws
}
