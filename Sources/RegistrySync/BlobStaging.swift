import AsyncHTTPClient
import Foundation
import NIOCore
import RegistryCore

/// `downloadDir`: a blob is first written here (hashed while it arrives and refused unless it matches its digest),
/// then copied into the storage upload; the file is removed either way.
struct BlobStaging: Sendable {
    let directory: String

    init(_ directory: String) { self.directory = directory }

    func download<Body: AsyncSequence & Sendable>(_ body: Body, digest: Digest, limit: Int64?) async throws -> String
        where Body.Element == ByteBuffer {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = directory + "/" + digest.hex + "-" + UUID().uuidString + ".partial"
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw UpstreamError.unavailable("cannot create a file in downloadDir")
        }
        var hasher = DigestHasher(algorithm: digest.algorithm)
        var written: Int64 = 0
        do {
            for try await chunk in body {
                written += Int64(chunk.readableBytes)
                if let limit, written > limit { throw UpstreamError.rejected("blob \(digest) is longer than announced") }
                chunk.withUnsafeReadableBytes { hasher.update($0) }
                try handle.write(contentsOf: Data(chunk.readableBytesView))
            }
            try handle.close()
        } catch {
            try? handle.close()
            remove(path)
            throw error
        }
        let actual = hasher.finalize()
        guard actual == digest else {
            remove(path)
            throw UpstreamError.rejected("blob hashes to \(actual), not \(digest)")
        }
        return path
    }

    func read(_ path: String) async throws -> FileChunks {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw UpstreamError.unavailable("staged blob vanished") }
        return FileChunks(handle: handle)
    }

    func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A file read in 1 MiB chunks.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        mutating func next() async throws -> ByteBuffer? {
            guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}
