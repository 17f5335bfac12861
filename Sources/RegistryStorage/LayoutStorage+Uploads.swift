import Foundation
import NIOCore
import RegistryCore

/// Uploads live at `/<repo>/.uploads/<id>` as uncommitted writer content (resumable across
/// restarts); a finished upload is committed, verified and moved (or linked) into `blobs/`.
extension LayoutStorage: BlobStore {
    public func startUpload(_ repository: RepositoryName) async throws -> UploadID {
        let id = UploadID.random()
        try await ensureRepository(repository)
        let path = try StorageLayout.upload(repository, id)
        // A committed empty marker lists the upload (for GC, with its start time); the data
        // accumulates as uncommitted writer content and replaces the marker when finished.
        try await driver.putContent(path, [])
        let writer = try await driver.writer(path, append: false)
        try await writer.close()
        await sessions.create(id, repository: repository)
        return id
    }

    /// Loads a session lost by a restart from the stored content; unknown → BLOB_UPLOAD_UNKNOWN.
    func recoverSession(_ repository: RepositoryName, _ id: UploadID) async throws {
        if await sessions.isKnown(id) { return }
        let writer: any StorageWriter
        do {
            writer = try await driver.writer(StorageLayout.upload(repository, id), append: true)
        } catch StorageDriverError.pathNotFound {
            throw RegistryError(.blobUploadUnknown)
        }
        let size = writer.size
        try await writer.close()
        await sessions.adopt(id, repository: repository, size: size)
    }

    public func uploadOffset(_ repository: RepositoryName, _ id: UploadID) async throws -> Int64 {
        try await recoverSession(repository, id)
        guard let offset = await sessions.offset(id, repository: repository) else { throw RegistryError(.blobUploadUnknown) }
        return offset
    }

    public func appendUpload<Body: AsyncSequence & Sendable>(_ repository: RepositoryName, _ id: UploadID, expectedOffset: Int64?, body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        try await recoverSession(repository, id)
        let state = try await sessions.acquire(id, repository: repository)
        if let expectedOffset, expectedOffset != state.offset {
            await sessions.release(id, offset: state.offset, hasher: state.hasher)
            throw RegistryError(.rangeInvalid, detail: "chunk starts at \(expectedOffset) but the upload has \(state.offset) bytes")
        }
        let writer: any StorageWriter
        do {
            writer = try await driver.writer(StorageLayout.upload(repository, id), append: true)
        } catch {
            await sessions.remove(id)
            throw (error as? StorageDriverError).map { _ in RegistryError(.blobUploadUnknown) } ?? error
        }
        var hasher = state.hasher
        do {
            for try await chunk in body {
                try await writer.write(chunk)
                if hasher != nil { chunk.withUnsafeReadableBytes { hasher!.update($0) } }
            }
            try await writer.close()
        } catch {
            // Whatever reached storage stays (the client asks for the offset and resumes); the
            // running hash may no longer match it, so it is recomputed at the end.
            try? await writer.close()
            await sessions.remove(id)
            throw error
        }
        await sessions.release(id, offset: writer.size, hasher: hasher)
        return writer.size
    }

    public func finishUpload(_ repository: RepositoryName, _ id: UploadID, digest: Digest) async throws -> Int64 {
        try await recoverSession(repository, id)
        let state = try await sessions.acquire(id, repository: repository)
        let path = try StorageLayout.upload(repository, id)
        do {
            let writer = try await driver.writer(path, append: true)
            try await writer.commit()
        } catch {
            await sessions.remove(id)
            throw error
        }
        let actual: Digest
        do {
            if let hasher = state.hasher, hasher.algorithm == digest.algorithm {
                actual = hasher.finalize()
            } else {
                actual = try await hash(path, algorithm: digest.algorithm)
            }
        } catch {
            await discard(path, id)
            throw error
        }
        guard actual == digest else {
            await discard(path, id)
            throw RegistryError(.digestInvalid, detail: "content digest is \(actual), not \(digest)")
        }
        do {
            try await place(upload: path, digest, in: repository)
        } catch {
            await discard(path, id)
            throw error
        }
        await sessions.remove(id)
        return state.offset
    }

    public func cancelUpload(_ repository: RepositoryName, _ id: UploadID) async throws {
        let path = try StorageLayout.upload(repository, id)
        var found = try await driver.deleteIfPresent(path)
        do {
            let writer = try await driver.writer(path, append: true)
            try await writer.cancel()
            found = true
        } catch StorageDriverError.pathNotFound {}
        guard found else { throw RegistryError(.blobUploadUnknown) }
        await sessions.remove(id)
    }

    func discard(_ path: StoragePath, _ id: UploadID) async {
        _ = try? await driver.deleteIfPresent(path)
        await sessions.remove(id)
    }

    /// Hashes stored content by streaming it.
    func hash(_ path: StoragePath, algorithm: Digest.Algorithm) async throws -> Digest {
        var hasher = DigestHasher(algorithm: algorithm)
        for try await chunk in try await driver.reader(path, offset: 0, length: nil) {
            chunk.withUnsafeReadableBytes { hasher.update($0) }
        }
        return hasher.finalize()
    }
}
