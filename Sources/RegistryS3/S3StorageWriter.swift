import Foundation
import NIOCore
import RegistryStorage

/// A `StorageWriter` on an S3 multipart upload to the path's own key (invisible until completed).
///
/// Data is cut into `partSize` parts, uploaded while more arrives (at most `partsInFlight` at once). `close()`
/// keeps the bytes that do not fill a part as a small object `<root>/.zot-authz-pending/<path>/<parts>` (S3 parts
/// other than the last must be ≥ 5 MiB, so they cannot be a part yet); `append` finds the upload with
/// ListMultipartUploads + ListParts and the tail named after that part count, so a resumed upload continues in
/// any process. `commit()` uploads the rest as the last part and completes (or PUTs small content whole).
/// Used by one task at a time, as `StorageWriter` requires; that is what makes the unchecked Sendable sound.
final class S3StorageWriter: StorageWriter, @unchecked Sendable {
    private let driver: S3StorageDriver
    private let path: StoragePath
    private let key: String
    private var uploadID: String?
    private var parts: [S3UploadedPart] = []
    private var inFlight: [Task<S3UploadedPart, any Error>] = []
    private var pending: ByteBuffer
    private var finished = false
    private(set) var size: Int64 = 0

    private init(driver: S3StorageDriver, path: StoragePath) {
        self.driver = driver
        self.path = path
        self.key = driver.keys.key(path)
        self.pending = ByteBufferAllocator().buffer(capacity: 0)
    }

    private var client: S3Client { driver.client }

    /// A fresh writer: whatever an earlier writer of `path` kept is discarded.
    static func start(driver: S3StorageDriver, path: StoragePath) async throws -> S3StorageWriter {
        let writer = S3StorageWriter(driver: driver, path: path)
        for upload in try await writer.uploadsOfKey() {
            try await writer.client.abortMultipartUpload(key: upload.key, uploadID: upload.uploadID)
        }
        try await writer.deleteTails(keeping: nil)
        return writer
    }

    /// Resumes what a closed writer of `path` kept; `.pathNotFound` when there is nothing.
    static func resume(driver: S3StorageDriver, path: StoragePath) async throws -> S3StorageWriter {
        let writer = S3StorageWriter(driver: driver, path: path)
        if let upload = try await writer.uploadsOfKey().last {
            writer.uploadID = upload.uploadID
            writer.parts = try await writer.client.listParts(key: writer.key, uploadID: upload.uploadID)
            writer.size = writer.parts.reduce(0) { $0 + $1.size }
        }
        let tailKey = writer.tailKey(afterParts: writer.parts.count)
        do {
            let tail = try await writer.client.getObject(key: tailKey)
            var buffer = ByteBufferAllocator().buffer(capacity: driver.partSize)
            for try await chunk in tail.body { buffer.writeImmutableBuffer(chunk) }
            writer.pending = buffer
            writer.size += Int64(buffer.readableBytes)
        } catch S3Error.noSuchKey {
            guard writer.uploadID != nil else { throw StorageDriverError.pathNotFound(path) }
        }
        return writer
    }

    func write(_ chunk: ByteBuffer) async throws {
        guard !finished else { throw StorageDriverError.writerFinished(path) }
        if pending.capacity == 0 { pending.reserveCapacity(driver.partSize) }
        pending.writeImmutableBuffer(chunk)
        size += Int64(chunk.readableBytes)
        while pending.readableBytes >= driver.partSize {
            let part = pending.readSlice(length: driver.partSize)!
            var rest = ByteBufferAllocator().buffer(capacity: driver.partSize)
            rest.writeImmutableBuffer(pending)
            pending = rest
            try await startPart(part)
        }
    }

    func close() async throws {
        guard !finished else { throw StorageDriverError.writerFinished(path) }
        finished = true
        try await finishInFlight()
        let tail = tailKey(afterParts: parts.count)
        try await mapped { _ = try await client.putObject(key: tail, bytes: pending, signPayload: false) }
        try await deleteTails(keeping: tail)
    }

    func cancel() async throws {
        guard !finished else { throw StorageDriverError.writerFinished(path) }
        finished = true
        for task in inFlight { task.cancel() }
        for task in inFlight { _ = try? await task.value }
        inFlight = []
        try await mapped {
            if let uploadID { try await client.abortMultipartUpload(key: key, uploadID: uploadID) }
        }
        try await deleteTails(keeping: nil)
    }

    func commit() async throws {
        guard !finished else { throw StorageDriverError.writerFinished(path) }
        finished = true
        try await finishInFlight()
        try await mapped {
            if let uploadID {
                if pending.readableBytes > 0 || parts.isEmpty {
                    let etag = try await client.uploadPart(key: key, uploadID: uploadID, partNumber: parts.count + 1,
                                                           bytes: pending, signPayload: false)
                    parts.append(S3UploadedPart(partNumber: parts.count + 1, etag: etag, size: Int64(pending.readableBytes)))
                }
                try await client.completeMultipartUpload(key: key, uploadID: uploadID, parts: parts)
            } else {
                try await client.putObject(key: key, bytes: pending, signPayload: false)
            }
        }
        pending = ByteBuffer()
        try await deleteTails(keeping: nil)
    }

    /// Starts uploading one full part; waits for the oldest when `partsInFlight` are already on their way.
    private func startPart(_ part: ByteBuffer) async throws {
        if uploadID == nil { uploadID = try await mapped { try await self.client.createMultipartUpload(key: self.key) } }
        let number = parts.count + inFlight.count + 1
        guard number <= S3Client.maximumPartNumber else {
            throw StorageDriverError.io(path, "more than \(S3Client.maximumPartNumber) parts of \(driver.partSize) bytes; raise chunksize")
        }
        let partClient = self.client, partKey = self.key, partUploadID = self.uploadID!
        inFlight.append(Task {
            let etag = try await partClient.uploadPart(key: partKey, uploadID: partUploadID, partNumber: number,
                                                       bytes: part, signPayload: false)
            return S3UploadedPart(partNumber: number, etag: etag, size: Int64(part.readableBytes))
        })
        if inFlight.count >= driver.partsInFlight { try await finishOldest() }
    }

    private func finishOldest() async throws {
        let task = inFlight.removeFirst()
        do {
            parts.append(try await task.value)
        } catch {
            for other in inFlight { other.cancel() }
            inFlight = []
            throw S3StorageDriver.driverError(error, path)
        }
    }

    private func finishInFlight() async throws {
        while !inFlight.isEmpty { try await finishOldest() }
    }

    private func uploadsOfKey() async throws -> [S3MultipartUpload] {
        try await mapped {
            try await client.listMultipartUploads(prefix: key).filter { $0.key == key }
                .sorted { ($0.initiated ?? .distantPast) < ($1.initiated ?? .distantPast) }
        }
    }

    private func tailKey(afterParts count: Int) -> String { driver.keys.pendingPrefix(path) + String(count) }

    private func deleteTails(keeping kept: String?) async throws {
        try await mapped {
            let tails = try await client.listAllObjects(prefix: driver.keys.pendingPrefix(path)).map(\.key)
            try await driver.deleteKeys(tails.filter { $0 != kept && !$0.dropFirst(driver.keys.pendingPrefix(path).count).contains("/") })
        }
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw S3StorageDriver.driverError(error, path)
        }
    }
}
