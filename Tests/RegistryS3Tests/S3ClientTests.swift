import Crypto
import Foundation
import NIOCore
import Testing
@testable import RegistryS3

/// Every S3Client call against a real S3 API server (moto_server), each test on a bucket of its own.
@Suite("S3Client against moto_server",
       .enabled(if: MotoServer.isInstalled, "moto_server is not installed: pip install 'moto[server]' boto3 (scripts/install-deps.sh does)"))
struct S3ClientTests {
    @Test("An object put as a stream reads back, heads with its size and is gone after delete")
    func putGetHeadDelete() async throws {
        let client = try await MotoServer.clientWithNewBucket()
        defer { Task { try? await client.shutdown() } }
        let source = PatternBytes(offset: 0, length: 300_000)
        try await client.putObject(key: "zot/zot/a b/+c", body: source, length: source.length)
        let info = try await client.headObject(key: "zot/zot/a b/+c")
        #expect(info.size == 300_000)
        let object = try await client.getObject(key: "zot/zot/a b/+c")
        let (digest, count, _) = try await streamedDigest(object.body)
        #expect(count == 300_000)
        #expect(digest == (try await source.sha256()))
        try await client.deleteObject(key: "zot/zot/a b/+c")
        await #expect(throws: S3Error.noSuchKey(key: "zot/zot/a b/+c")) { try await client.headObject(key: "zot/zot/a b/+c") }
    }

    @Test("A missing key is a typed not-found for GET and HEAD, and deleting it is not an error")
    func missingKey() async throws {
        let client = try await MotoServer.clientWithNewBucket()
        defer { Task { try? await client.shutdown() } }
        await #expect(throws: S3Error.noSuchKey(key: "nope")) { try await client.getObject(key: "nope") }
        await #expect(throws: S3Error.noSuchKey(key: "nope")) { try await client.headObject(key: "nope") }
        do {
            _ = try await client.getObject(key: "nope")
        } catch let error as S3Error {
            #expect(error.isNotFound)
        }
        try await client.deleteObject(key: "nope")
    }

    @Test("Ranged reads return exactly the requested bytes and the object's total size")
    func rangedReads() async throws {
        let client = try await MotoServer.clientWithNewBucket()
        defer { Task { try? await client.shutdown() } }
        let source = PatternBytes(offset: 0, length: 200_000)
        try await client.putObject(key: "blob", body: source, length: source.length)

        let middle = try await client.getObject(key: "blob", range: .bytes(65_530...65_549))
        #expect(middle.contentLength == 20)
        #expect(middle.info.size == 200_000)
        #expect(Array(buffer: try await middle.body.collect(upTo: 1 << 20)) == PatternBytes.bytes(65_530..<65_550))

        let tail = try await client.getObject(key: "blob", range: .from(199_990))
        #expect(Array(buffer: try await tail.body.collect(upTo: 1 << 20)) == PatternBytes.bytes(199_990..<200_000))

        await #expect(throws: S3Error.invalidRange(key: "blob")) { try await client.getObject(key: "blob", range: .from(200_000)) }
    }

    @Test("A 20 MiB multipart upload streams part by part, lists its parts before completion and reads back whole")
    func multipartUpload() async throws {
        let client = try await MotoServer.clientWithNewBucket()
        defer { Task { try? await client.shutdown() } }
        let total: Int64 = 20 * 1024 * 1024
        let partSize = S3Client.minimumPartSize
        let id = try await client.createMultipartUpload(key: "big")
        var parts: [S3UploadedPart] = []
        var offset: Int64 = 0
        var number = 1
        while offset < total {
            let length = min(partSize, total - offset)
            let etag = try await client.uploadPart(key: "big", uploadID: id, partNumber: number,
                                                   body: PatternBytes(offset: offset, length: length), length: length)
            parts.append(S3UploadedPart(partNumber: number, etag: etag, size: length))
            offset += length
            number += 1
        }
        let listed = try await client.listParts(key: "big", uploadID: id)
        #expect(listed.map(\.partNumber) == [1, 2, 3, 4])
        #expect(listed.map(\.size) == [partSize, partSize, partSize, partSize])
        #expect(listed.map(\.etag) == parts.map(\.etag))
        await #expect(throws: S3Error.noSuchKey(key: "big")) { try await client.headObject(key: "big") }

        try await client.completeMultipartUpload(key: "big", uploadID: id, parts: listed)
        #expect(try await client.headObject(key: "big").size == total)
        let object = try await client.getObject(key: "big")
        let (digest, count, largestChunk) = try await streamedDigest(object.body)
        #expect(count == total)
        #expect(digest == (try await PatternBytes(offset: 0, length: total).sha256()))
        #expect(largestChunk < 4 * 1024 * 1024, "the body arrives in chunks, not as one buffer")
        #expect(try await client.listMultipartUploads(prefix: "big").isEmpty)
    }

    @Test("An interrupted multipart upload resumes from the parts S3 already has, found by a fresh client")
    func resumeMultipartUpload() async throws {
        let first = try await MotoServer.clientWithNewBucket()
        let partSize = S3Client.minimumPartSize
        let id = try await first.createMultipartUpload(key: "repo/.uploads/u1")
        _ = try await first.uploadPart(key: "repo/.uploads/u1", uploadID: id, partNumber: 1,
                                       body: PatternBytes(offset: 0, length: partSize), length: partSize)
        try await first.shutdown()

        let second = S3Client(configuration: first.configuration)
        defer { Task { try? await second.shutdown() } }
        let uploads = try await second.listMultipartUploads(prefix: "repo/.uploads/")
        #expect(uploads.map(\.uploadID) == [id])
        var parts = try await second.listParts(key: "repo/.uploads/u1", uploadID: id)
        let resumeAt = parts.reduce(0) { $0 + $1.size }
        #expect(resumeAt == partSize)
        let etag = try await second.uploadPart(key: "repo/.uploads/u1", uploadID: id, partNumber: 2,
                                               body: PatternBytes(offset: resumeAt, length: 1000), length: 1000)
        parts.append(S3UploadedPart(partNumber: 2, etag: etag, size: 1000))
        try await second.completeMultipartUpload(key: "repo/.uploads/u1", uploadID: id, parts: parts)
        let object = try await second.getObject(key: "repo/.uploads/u1")
        let (digest, _, _) = try await streamedDigest(object.body)
        #expect(digest == (try await PatternBytes(offset: 0, length: partSize + 1000).sha256()))
    }

    @Test("An aborted multipart upload is gone: listing its parts says no such upload")
    func abortMultipartUpload() async throws {
        let client = try await MotoServer.clientWithNewBucket()
        defer { Task { try? await client.shutdown() } }
        let id = try await client.createMultipartUpload(key: "k")
        _ = try await client.uploadPart(key: "k", uploadID: id, partNumber: 1, bytes: ByteBuffer(string: "abc"))
        try await client.abortMultipartUpload(key: "k", uploadID: id)
        // (Completing an aborted upload is NoSuchUpload on AWS; moto answers it with a bare 500, so it is not checked here.)
        await #expect(throws: S3Error.noSuchUpload(uploadID: id)) { try await client.listParts(key: "k", uploadID: id) }
    }

    @Test("Listings page with continuation tokens and group by delimiter")
    func listPagination() async throws {
        let client = try await MotoServer.clientWithNewBucket()
        defer { Task { try? await client.shutdown() } }
        let keys = (0..<25).map { "root/repo\($0 % 5)/file\(String(format: "%02d", $0))" } + ["root/top"]
        for key in keys { try await client.putObject(key: key, bytes: ByteBuffer(string: key)) }

        var seen: [String] = []
        var pages = 0
        var token: String?
        repeat {
            let page = try await client.listObjectsV2(prefix: "root/", continuationToken: token, maxKeys: 10)
            #expect(page.objects.count <= 10)
            seen += page.objects.map(\.key)
            token = page.nextContinuationToken
            pages += 1
        } while token != nil
        #expect(pages == 3)
        #expect(seen == keys.sorted())
        #expect(try await client.listAllObjects(prefix: "root/repo1/").count == 5)

        let grouped = try await client.listObjectsV2(prefix: "root/", delimiter: "/")
        #expect(grouped.commonPrefixes == (0..<5).map { "root/repo\($0)/" })
        #expect(grouped.objects.map(\.key) == ["root/top"])
        #expect(grouped.objects.first?.size == 8)
        #expect(grouped.nextContinuationToken == nil)
    }

    @Test("CopyObject duplicates an object server-side; the copy survives deleting the source")
    func copyObject() async throws {
        let client = try await MotoServer.clientWithNewBucket()
        defer { Task { try? await client.shutdown() } }
        try await client.putObject(key: "src/a:b", bytes: ByteBuffer(string: "payload"))
        try await client.copyObject(from: "src/a:b", to: "dst/c")
        try await client.deleteObject(key: "src/a:b")
        let copy = try await client.getObject(key: "dst/c")
        #expect(String(buffer: try await copy.body.collect(upTo: 100)) == "payload")
        await #expect(throws: S3Error.noSuchKey(key: "dst/none")) { try await client.copyObject(from: "src/none", to: "dst/none") }
    }

    @Test("A bucket that does not exist is a typed error naming it")
    func missingBucket() async throws {
        let endpoint = try await MotoServer.endpoint()
        let client = S3Client(configuration: S3Configuration(
            bucket: "no-such-bucket-\(UUID().uuidString.lowercased().prefix(8))", region: "us-east-1",
            endpoint: endpoint, forcePathStyle: true, credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b")))
        defer { Task { try? await client.shutdown() } }
        await #expect(throws: S3Error.noSuchBucket(bucket: client.configuration.bucket)) {
            try await client.listObjectsV2()
        }
    }

    @Test("Storage class, server-side encryption and session token headers reach the server")
    func objectCreationHeaders() async throws {
        let plain = try await MotoServer.clientWithNewBucket()
        try await plain.shutdown()
        var configuration = plain.configuration
        configuration.storageClass = "STANDARD_IA"
        configuration.serverSideEncryption = .aes256
        configuration.credentials.sessionToken = "token"
        let client = S3Client(configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        try await client.putObject(key: "enc", bytes: ByteBuffer(string: "x"))
        let response = try await client.send(.HEAD, key: "enc")
        #expect(response.headers.first(name: "x-amz-server-side-encryption") == "AES256")
        #expect(response.headers.first(name: "x-amz-storage-class") == "STANDARD_IA")
    }
}
