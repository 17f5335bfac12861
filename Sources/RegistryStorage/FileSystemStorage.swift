import Foundation
import NIOCore
import NIOFileSystem
import RegistryCore

/// The default storage: a directory tree (see `StorageLayout`). Blobs are content-addressed and
/// shared by all repositories (dedupe), moved into place with atomic renames, and verified
/// against their digest while they stream; `commit` adds fsyncs before each rename.
public final class FileSystemStorage: Sendable {
    let layout: StorageLayout
    let commit: Bool
    let sessions = UploadSessions()

    /// Opens (creating if needed) storage rooted at `rootDirectory`.
    public init(rootDirectory: String, commit: Bool = false) throws {
        let root = rootDirectory.hasSuffix("/") && rootDirectory.count > 1 ? String(rootDirectory.dropLast()) : rootDirectory
        layout = StorageLayout(root: root)
        self.commit = commit
        for directory in [layout.blobsDirectory, layout.uploadsDirectory, layout.repositoriesDirectory] {
            try FileOperations.makeDirectories(directory)
        }
    }

    /// The storage root.
    public var rootDirectory: String { layout.root }
}

extension FileSystemStorage: BlobStore {
    public func blobSize(_ repository: RepositoryName, _ digest: Digest) -> Int64? {
        // Manifests are blobs too (clients may fetch them through the blobs endpoint).
        guard FileOperations.exists(layout.layerLink(repository, digest))
            || FileOperations.exists(layout.manifestRevision(repository, digest)) else { return nil }
        return FileOperations.size(layout.blob(digest))
    }

    public func blobPath(_ digest: Digest) -> String { layout.blob(digest) }

    /// Size of the shared blob regardless of repository membership.
    public func storedBlobSize(_ digest: Digest) -> Int64? { FileOperations.size(layout.blob(digest)) }

    public func mountBlob(_ digest: Digest, into repository: RepositoryName, from source: RepositoryName?) throws -> Bool {
        if let source {
            guard blobSize(source, digest) != nil else { return false }
        } else {
            guard storedBlobSize(digest) != nil else { return false }
        }
        try link(digest, into: repository)
        return true
    }

    func link(_ digest: Digest, into repository: RepositoryName) throws {
        let path = layout.layerLink(repository, digest)
        if FileOperations.exists(path) { return }
        try FileOperations.writeAtomically([], to: path, sync: commit)
    }

    public func deleteBlob(_ repository: RepositoryName, _ digest: Digest) throws {
        guard FileOperations.remove(layout.layerLink(repository, digest)) else { throw RegistryError(.blobUnknown) }
    }

    public func startUpload(_ repository: RepositoryName) async throws -> UploadID {
        let id = UploadID.random()
        try FileOperations.writeAtomically([], to: layout.upload(id), sync: false)
        try FileOperations.writeAtomically(Array(repository.value.utf8), to: layout.upload(id) + ".repo", sync: false)
        await sessions.create(id, repository: repository)
        return id
    }

    /// Recovers a session lost by a restart from the files on disk.
    private func recoverer(_ id: UploadID, _ repository: RepositoryName) -> @Sendable () -> Int64? {
        let layout = layout
        return {
            guard let owner = FileOperations.read(layout.upload(id) + ".repo"),
                  String(decoding: owner, as: UTF8.self) == repository.value else { return nil }
            return FileOperations.size(layout.upload(id))
        }
    }

    public func uploadOffset(_ repository: RepositoryName, _ id: UploadID) async throws(RegistryError) -> Int64 {
        if let offset = await sessions.offset(id, repository: repository) { return offset }
        guard let size = recoverer(id, repository)() else { throw RegistryError(.blobUploadUnknown) }
        return size
    }

    public func appendUpload<Body: AsyncSequence & Sendable>(_ repository: RepositoryName, _ id: UploadID, expectedOffset: Int64?, body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        let state = try await sessions.acquire(id, repository: repository, recover: recoverer(id, repository))
        if let expectedOffset, expectedOffset != state.offset {
            await sessions.release(id, offset: state.offset, hasher: state.hasher)
            throw RegistryError(.rangeInvalid, detail: "chunk starts at \(expectedOffset) but the upload has \(state.offset) bytes")
        }
        var hasher = state.hasher
        var offset = state.offset
        do {
            try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(layout.upload(id)), options: .modifyFile(createIfNecessary: false)) { handle in
                var writer = handle.bufferedWriter(startingAtAbsoluteOffset: offset, capacity: .mebibytes(1))
                do {
                    for try await chunk in body {
                        if hasher != nil {
                            chunk.withUnsafeReadableBytes { hasher!.update($0) }
                        }
                        offset += Int64(chunk.readableBytes)
                        try await writer.write(contentsOf: chunk)
                    }
                    try await writer.flush()
                } catch {
                    // Undo the partial chunk so the upload stays consistent with the session.
                    try? await writer.flush()
                    try? await handle.resize(to: .bytes(state.offset))
                    throw error
                }
            }
        } catch {
            await sessions.release(id, offset: state.offset, hasher: state.hasher)
            throw error
        }
        await sessions.release(id, offset: offset, hasher: hasher)
        return offset
    }

    public func finishUpload(_ repository: RepositoryName, _ id: UploadID, digest: Digest) async throws -> Int64 {
        let state = try await sessions.acquire(id, repository: repository, recover: recoverer(id, repository))
        let path = layout.upload(id)
        let actual: Digest
        do {
            if let hasher = state.hasher, hasher.algorithm == digest.algorithm {
                actual = hasher.finalize()
            } else {
                actual = try await Self.hashFile(path, algorithm: digest.algorithm)
            }
        } catch {
            await sessions.release(id, offset: state.offset, hasher: state.hasher)
            throw error
        }
        guard actual == digest else {
            await discard(id)
            throw RegistryError(.digestInvalid, detail: "content digest is \(actual), not \(digest)")
        }
        do {
            let destination = layout.blob(digest)
            try FileOperations.makeDirectories((destination as NSString).deletingLastPathComponent)
            if commit { FileOperations.syncFile(path) }
            try FileOperations.rename(path, to: destination)
            if commit { FileOperations.syncDirectory((destination as NSString).deletingLastPathComponent) }
            try link(digest, into: repository)
        } catch {
            await sessions.release(id, offset: state.offset, hasher: state.hasher)
            throw error
        }
        await discard(id)
        return state.offset
    }

    public func cancelUpload(_ repository: RepositoryName, _ id: UploadID) async throws {
        _ = try await uploadOffset(repository, id)
        await discard(id)
    }

    func discard(_ id: UploadID) async {
        FileOperations.remove(layout.upload(id))
        FileOperations.remove(layout.upload(id) + ".repo")
        await sessions.remove(id)
    }

    /// Hashes a file by streaming it.
    static func hashFile(_ path: String, algorithm: Digest.Algorithm) async throws -> Digest {
        var hasher = DigestHasher(algorithm: algorithm)
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            for try await chunk in handle.readChunks(chunkLength: .mebibytes(1)) {
                chunk.withUnsafeReadableBytes { hasher.update($0) }
            }
        }
        return hasher.finalize()
    }
}
