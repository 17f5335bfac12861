import AsyncHTTPClient
import Foundation
import NIOCore
import RegistryCore
import RegistryStorage

extension OnDemandSync {
    public func fetchBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> Bool {
        observer?.cacheMiss(repository: repository.value)
        return try await flights.run("blob|\(repository)|\(digest)") { [self] in
            if try await storage.blobSize(repository, digest) != nil { return true }
            return try await syncBlob(repository, digest, requester: requester)
        }
    }

    public func streamBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> StreamingBlob? {
        observer?.cacheMiss(repository: repository.value)
        let handoff = StreamHandoff()
        let (task, started) = await flights.start("blob|\(repository)|\(digest)") { [self] in
            defer { handoff.resolve(nil) }
            if try await storage.blobSize(repository, digest) != nil { return true }
            return try await syncBlob(repository, digest, requester: requester, handoff: handoff)
        }
        if started, let streaming = await handoff.wait() { return streaming }
        guard try await task.value else { throw RegistryError(.blobUnknown, detail: "blob \(digest) is not known upstream") }
        return nil
    }

    func syncBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity?, handoff: StreamHandoff? = nil) async throws -> Bool {
        var failure: UpstreamError?
        for (registry, name, _) in candidates(repository) {
            for client in registry.clients {
                do {
                    let bytes = try await client.blob(name, digest) { body, length in
                        try await self.receive(body, length: length, digest: digest, into: repository, handoff: handoff)
                    }
                    observer?.fetched(UpstreamFetch(requester: requester, upstream: client.endpoint.base, upstreamRepository: name,
                                                    repository: repository.value, kind: .blob, digest: digest, bytes: bytes))
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
        if let failure { throw RegistryError(.blobUnknown, detail: "blob \(digest) is not cached and \(failure)") }
        return false
    }

    /// Streams an upstream body into a storage upload (through `downloadDir` when set), within the download budget;
    /// the storage layer verifies the digest before the blob becomes visible.
    func receive(_ body: HTTPClientResponse.Body, length: Int64?, digest: Digest, into repository: RepositoryName,
                 handoff: StreamHandoff?) async throws -> Int64 {
        let reserved = length ?? (64 << 20)
        try await budget.reserve(reserved)
        // The requesting client gets the bytes as they arrive when the length is known (for its Content-Length).
        var tee: BlobTee?
        if let handoff, let length {
            let created = BlobTee()
            handoff.resolve(StreamingBlob(size: length, body: created.body))
            tee = created
        }
        do {
            let size: Int64
            if let tee {
                size = try await upload(TeeBody(body: body, tee: tee), length: length, digest: digest, into: repository)
                tee.complete()
            } else {
                size = try await upload(body, length: length, digest: digest, into: repository)
            }
            await budget.release(reserved)
            return size
        } catch {
            tee?.fail(error)
            await budget.release(reserved)
            throw error
        }
    }

    private func upload<Body: AsyncSequence & Sendable>(_ body: Body, length: Int64?, digest: Digest, into repository: RepositoryName) async throws -> Int64
        where Body.Element == ByteBuffer {
        let id = try await storage.startUpload(repository)
        do {
            if let staging {
                let file = try await staging.download(body, digest: digest, limit: length)
                defer { staging.remove(file) }
                _ = try await storage.appendUpload(repository, id, expectedOffset: 0, body: try await staging.read(file))
            } else {
                _ = try await storage.appendUpload(repository, id, expectedOffset: 0, body: body)
            }
            let size = try await storage.finishUpload(repository, id, digest: digest)
            if let length, size != length { throw UpstreamError.rejected("blob \(digest) is \(size) bytes, not \(length)") }
            return size
        } catch let error as RegistryError {
            try? await storage.cancelUpload(repository, id)
            throw UpstreamError.rejected("blob \(digest): \(error.detail ?? error.message)")
        } catch {
            try? await storage.cancelUpload(repository, id)
            if error is UpstreamError { throw error }
            throw UpstreamError.unavailable("blob \(digest) transfer failed: \(error)")
        }
    }
}
