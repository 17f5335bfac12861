import Foundation
import NIOCore
import RegistryStorage

/// The `StorageDriver` on S3: Zot's key layout (``S3KeyMapping``), directories as key prefixes, reads as ranged
/// streaming GETs, writers as multipart uploads of `partSize` parts (so chunked pushes survive restarts).
public struct S3StorageDriver: StorageDriver {
    public let name = "s3"
    public let capabilities: StorageCapabilities = []
    public let client: S3Client
    /// `rootdirectory` as configured (keys carry it twice; see ``S3KeyMapping``).
    public let rootDirectory: String
    public let keys: S3KeyMapping
    /// Multipart part size (`chunksize`), at least 5 MiB.
    public let partSize: Int
    /// Parts uploaded concurrently by one writer while it keeps receiving data.
    public let partsInFlight: Int
    /// CopyObject's limit; larger objects are copied by streaming.
    static let maximumCopySize: Int64 = 5 * 1024 * 1024 * 1024

    public init(client: S3Client, rootDirectory: String, partSize: Int = 10 * 1024 * 1024, partsInFlight: Int = 2) throws(S3Error) {
        guard partSize >= Int(S3Client.minimumPartSize) else {
            throw .invalidConfiguration("chunksize \(partSize) is below S3's minimum part size of \(S3Client.minimumPartSize)")
        }
        self.client = client
        self.rootDirectory = rootDirectory
        self.keys = S3KeyMapping(rootDirectory: rootDirectory)
        self.partSize = partSize
        self.partsInFlight = max(1, partsInFlight)
    }

    public func getContent(_ path: StoragePath, maximumSize: Int) async throws -> [UInt8] {
        let object = try await mapErrors(path) { try await client.getObject(key: keys.key(path)) }
        if object.contentLength > Int64(maximumSize) { throw StorageDriverError.tooLarge(path, limit: maximumSize) }
        return try await mapErrors(path) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(max(0, Int(object.contentLength)))
            for try await chunk in object.body {
                bytes.append(contentsOf: chunk.readableBytesView)
                if bytes.count > maximumSize { throw StorageDriverError.tooLarge(path, limit: maximumSize) }
            }
            return bytes
        }
    }

    public func putContent(_ path: StoragePath, _ content: [UInt8]) async throws {
        try await mapErrors(path) { _ = try await client.putObject(key: keys.key(path), bytes: ByteBuffer(bytes: content)) }
    }

    public func reader(_ path: StoragePath, offset: Int64, length: Int64?) async throws -> StorageReadStream {
        guard offset >= 0 else { throw StorageDriverError.invalidOffset(path, offset) }
        if let length, length < 0 { throw StorageDriverError.invalidOffset(path, offset) }
        let key = keys.key(path)
        if length == 0 {
            let info = try await mapErrors(path) { try await client.headObject(key: key) }
            guard offset <= info.size else { throw StorageDriverError.invalidOffset(path, offset) }
            return .empty
        }
        let range: S3ReadRange? = switch (offset, length) {
        case (0, nil): nil
        case (_, nil): .from(offset)
        case (_, let length?): .bytes(offset...(offset + length - 1))
        }
        do {
            let object = try await client.getObject(key: key, range: range)
            return StorageReadStream(chunks: StreamErrorMapping(body: object.body, path: path))
        } catch S3Error.invalidRange {
            // The range starts at or past the end: an empty read at the end, an error beyond it.
            let info = try await mapErrors(path) { try await client.headObject(key: key) }
            guard offset == info.size else { throw StorageDriverError.invalidOffset(path, offset) }
            return .empty
        } catch {
            throw Self.driverError(error, path)
        }
    }

    public func writer(_ path: StoragePath, append: Bool) async throws -> any StorageWriter {
        guard path != .root else { throw StorageDriverError.isDirectory(path) }
        return try await mapErrors(path) { () async throws -> any StorageWriter in
            if append { return try await S3StorageWriter.resume(driver: self, path: path) }
            return try await S3StorageWriter.start(driver: self, path: path)
        }
    }

    public func stat(_ path: StoragePath) async throws -> StorageFileInfo {
        if path != .root {
            do {
                let info = try await client.headObject(key: keys.key(path))
                return StorageFileInfo(path: path, size: info.size, modificationTime: info.lastModified ?? Date(), isDirectory: false)
            } catch S3Error.noSuchKey {
                // Not a file; perhaps a prefix.
            } catch {
                throw Self.driverError(error, path)
            }
        }
        let page = try await mapErrors(path) {
            try await client.listObjectsV2(prefix: keys.directoryPrefix(path), maxKeys: 1)
        }
        guard path == .root || !page.objects.isEmpty else { throw StorageDriverError.pathNotFound(path) }
        return StorageFileInfo(path: path, size: 0, modificationTime: page.objects.first?.lastModified ?? Date(), isDirectory: true)
    }

    public func list(_ path: StoragePath) async throws -> [StoragePath] {
        var children = Set<StoragePath>()
        var token: String?
        let prefix = keys.directoryPrefix(path)
        repeat {
            let page = try await mapErrors(path) {
                try await client.listObjectsV2(prefix: prefix, delimiter: "/", continuationToken: token)
            }
            for object in page.objects { if let child = keys.path(ofListed: object.key, in: path) { children.insert(child) } }
            for common in page.commonPrefixes { if let child = keys.path(ofListed: common, in: path) { children.insert(child) } }
            token = page.nextContinuationToken
        } while token != nil
        if children.isEmpty && path != .root { throw StorageDriverError.pathNotFound(path) }
        return children.sorted()
    }

    public func move(_ source: StoragePath, to destination: StoragePath) async throws {
        try await link(source, to: destination)
        try await mapErrors(source) { try await client.deleteObject(key: keys.key(source)) }
    }

    public func link(_ source: StoragePath, to destination: StoragePath) async throws {
        let info = try await mapErrors(source) { try await client.headObject(key: keys.key(source)) }
        if info.size > Self.maximumCopySize {
            try await copy(source, to: destination)
            return
        }
        try await mapErrors(source) { try await client.copyObject(from: keys.key(source), to: keys.key(destination)) }
    }

    public func delete(_ path: StoragePath) async throws {
        guard path != .root else { throw StorageDriverError.invalidPath(path.value, reason: "the storage root cannot be deleted") }
        let key = keys.key(path)
        let prefix = keys.directoryPrefix(path)
        try await mapErrors(path) {
            var doomed = try await client.listAllObjects(prefix: prefix).map(\.key)
            if (try? await client.headObject(key: key)) != nil { doomed.append(key) }
            guard !doomed.isEmpty else { throw StorageDriverError.pathNotFound(path) }
            try await deleteKeys(doomed)
            // Writers left behind below the deleted path go too (their parts and kept tails).
            for upload in try await client.listMultipartUploads(prefix: key) where upload.key == key || upload.key.hasPrefix(prefix) {
                try? await client.abortMultipartUpload(key: upload.key, uploadID: upload.uploadID)
            }
            try await deleteKeys(try await client.listAllObjects(prefix: keys.pendingPrefix(path)).map(\.key))
        }
    }

    /// Deletes keys, a few at a time.
    func deleteKeys(_ doomed: [String]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var started = 0
            for key in doomed {
                if started >= 16 { _ = try await group.next() }
                group.addTask { try await client.deleteObject(key: key) }
                started += 1
            }
            try await group.waitForAll()
        }
    }

    /// Runs `body`, turning S3 and HTTP failures into `StorageDriverError`s about `path`.
    func mapErrors<T>(_ path: StoragePath, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Self.driverError(error, path)
        }
    }

    static func driverError(_ error: any Error, _ path: StoragePath) -> StorageDriverError {
        if let error = error as? StorageDriverError { return error }
        guard let s3 = error as? S3Error else { return .io(path, "S3 request failed: \(error)") }
        switch s3 {
        case .noSuchKey, .noSuchUpload: return .pathNotFound(path)
        default: return .io(path, s3.description)
        }
    }
}

/// A response body whose transport errors surface as `StorageDriverError.io`.
struct StreamErrorMapping<Body: AsyncSequence & Sendable>: AsyncSequence, Sendable where Body.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let body: Body
    let path: StoragePath

    struct AsyncIterator: AsyncIteratorProtocol {
        var inner: Body.AsyncIterator
        let path: StoragePath
        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await inner.next()
            } catch {
                throw S3StorageDriver.driverError(error, path)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: body.makeAsyncIterator(), path: path) }
}
