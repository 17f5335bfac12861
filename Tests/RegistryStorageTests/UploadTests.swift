import Foundation
import NIOCore
import RegistryCore
import RegistryStorage
import Testing

@Suite("Blob uploads")
struct UploadTests {
    let foo = repo("foo")

    @Test("a streamed upload in several chunks becomes a blob with the right size and content")
    func streamedUpload() async throws {
        try await withStorage { storage in
            let content = sampleBytes(100_000)
            let id = try await storage.startUpload(foo)
            #expect(try await storage.uploadOffset(foo, id) == 0)
            let first = try await storage.appendUpload(foo, id, expectedOffset: 0, body: byteStream(split(Array(content[..<40_000]), every: 4096)))
            #expect(first == 40_000)
            #expect(try await storage.uploadOffset(foo, id) == 40_000)
            let second = try await storage.appendUpload(foo, id, expectedOffset: nil, body: byteStream(split(Array(content[40_000...]), every: 7777)))
            #expect(second == 100_000)
            let digest = Digest.of(content)
            #expect(try await storage.blobSize(foo, digest) == nil)
            #expect(try await storage.finishUpload(foo, id, digest: digest) == 100_000)
            #expect(try await storage.blobSize(foo, digest) == 100_000)
            #expect(storedContent(storage, foo, digest) == content)
            await expectRegistryError(.blobUploadUnknown) { _ = try await storage.uploadOffset(foo, id) }
            #expect(regularFiles(under: storage.rootDirectory + "/foo/.uploads").isEmpty)
        }
    }

    @Test("an empty upload finishes as the empty blob")
    func emptyUpload() async throws {
        try await withStorage { storage in
            let id = try await storage.startUpload(foo)
            let digest = Digest.of([UInt8]())
            #expect(try await storage.finishUpload(foo, id, digest: digest) == 0)
            #expect(try await storage.blobSize(foo, digest) == 0)
        }
    }

    @Test("finishing with the wrong digest fails with DIGEST_INVALID and discards the upload")
    func wrongDigest() async throws {
        try await withStorage { storage in
            let id = try await storage.startUpload(foo)
            _ = try await storage.appendUpload(foo, id, expectedOffset: 0, body: byteStream([Array("hello".utf8)]))
            let wrong = Digest.of(Array("world".utf8))
            await expectRegistryError(.digestInvalid) { _ = try await storage.finishUpload(foo, id, digest: wrong) }
            #expect(try await storage.blobSize(foo, wrong) == nil)
            #expect(try await storage.blobSize(foo, Digest.of(Array("hello".utf8))) == nil)
            await expectRegistryError(.blobUploadUnknown) { _ = try await storage.uploadOffset(foo, id) }
            #expect(regularFiles(under: storage.rootDirectory + "/foo/.uploads").isEmpty)
            #expect(regularFiles(under: storage.rootDirectory + "/foo/blobs").isEmpty)
        }
    }

    @Test("a chunk at the wrong offset is RANGE_INVALID (416) and the upload stays usable")
    func offsetMismatch() async throws {
        try await withStorage { storage in
            let content = sampleBytes(80)
            let id = try await storage.startUpload(foo)
            _ = try await storage.appendUpload(foo, id, expectedOffset: 0, body: byteStream([Array(content[..<40])]))
            for badOffset: Int64 in [0, 39, 41, 1000] {
                let error = await expectRegistryError(.rangeInvalid) {
                    _ = try await storage.appendUpload(foo, id, expectedOffset: badOffset, body: byteStream([Array(content[40...])]))
                }
                #expect(error?.status == 416)
            }
            #expect(try await storage.uploadOffset(foo, id) == 40)
            #expect(try await storage.appendUpload(foo, id, expectedOffset: 40, body: byteStream([Array(content[40...])])) == 80)
            #expect(try await storage.finishUpload(foo, id, digest: Digest.of(content)) == 80)
            #expect(storedContent(storage, foo, Digest.of(content)) == content)
        }
    }

    @Test("a body that fails midway keeps what was stored, reports that offset, and the upload resumes from it")
    func failingBody() async throws {
        struct ClientWentAway: Error {}
        try await withStorage { storage in
            let content = sampleBytes(3000)
            let id = try await storage.startUpload(foo)
            _ = try await storage.appendUpload(foo, id, expectedOffset: 0, body: byteStream([Array(content[..<1000])]))
            let broken = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(bytes: Array(content[1000..<1500])))
                continuation.finish(throwing: ClientWentAway())
            }
            await #expect(throws: ClientWentAway.self) {
                _ = try await storage.appendUpload(foo, id, expectedOffset: 1000, body: broken)
            }
            let offset = try await storage.uploadOffset(foo, id)
            #expect(offset == 1000 || offset == 1500)
            _ = try await storage.appendUpload(foo, id, expectedOffset: offset, body: byteStream([Array(content[Int(offset)...])]))
            #expect(try await storage.finishUpload(foo, id, digest: Digest.of(content)) == 3000)
            #expect(storedContent(storage, foo, Digest.of(content)) == content)
        }
    }

    @Test("a sha512 digest is verified by rehashing the uploaded file")
    func sha512Finish() async throws {
        try await withStorage { storage in
            let content = sampleBytes(5000, seed: 3)
            let digest = try await pushBlob(storage, foo, content, chunkSize: 1234, algorithm: .sha512)
            #expect(digest.algorithm == .sha512)
            #expect(try await storage.blobSize(foo, digest) == 5000)
            #expect(storedContent(storage, foo, digest) == content)
        }
    }

    @Test("a wrong sha512 digest is rejected after rehashing")
    func wrongSha512() async throws {
        try await withStorage { storage in
            let id = try await storage.startUpload(foo)
            _ = try await storage.appendUpload(foo, id, expectedOffset: 0, body: byteStream([sampleBytes(10)]))
            await expectRegistryError(.digestInvalid) {
                _ = try await storage.finishUpload(foo, id, digest: Digest.of(sampleBytes(11), algorithm: .sha512))
            }
        }
    }

    @Test("after a restart a new storage instance continues and finishes an upload from disk")
    func sessionRecovery() async throws {
        try await withTemporaryRoot { root in
            let content = sampleBytes(9000, seed: 5)
            let first = try layoutStorage(root)
            let id = try await first.startUpload(foo)
            _ = try await first.appendUpload(foo, id, expectedOffset: 0, body: byteStream([Array(content[..<4000])]))

            let restarted = try layoutStorage(root)
            #expect(try await restarted.uploadOffset(foo, id) == 4000)
            await expectRegistryError(.rangeInvalid) {
                _ = try await restarted.appendUpload(foo, id, expectedOffset: 0, body: byteStream([Array(content[4000...])]))
            }
            #expect(try await restarted.appendUpload(foo, id, expectedOffset: 4000, body: byteStream([Array(content[4000...])])) == 9000)
            await expectRegistryError(.digestInvalid) {
                _ = try await restarted.finishUpload(foo, id, digest: Digest.of(Array(content.dropLast())))
            }

            let again = try layoutStorage(root)
            let id2 = try await first.startUpload(foo)
            _ = try await first.appendUpload(foo, id2, expectedOffset: 0, body: byteStream([content]))
            #expect(try await again.finishUpload(foo, id2, digest: Digest.of(content)) == 9000)
            #expect(try await again.blobSize(foo, Digest.of(content)) == 9000)
            #expect(storedContent(again, foo, Digest.of(content)) == content)
        }
    }

    @Test("a recovered upload is still bound to the repository that started it")
    func recoveryKeepsOwner() async throws {
        try await withTemporaryRoot { root in
            let first = try layoutStorage(root)
            let id = try await first.startUpload(foo)
            let restarted = try layoutStorage(root)
            await expectRegistryError(.blobUploadUnknown) { _ = try await restarted.uploadOffset(repo("bar"), id) }
            await expectRegistryError(.blobUploadUnknown) {
                _ = try await restarted.appendUpload(repo("bar"), id, expectedOffset: nil, body: byteStream([[1]]))
            }
            #expect(try await restarted.uploadOffset(foo, id) == 0)
        }
    }

    @Test("a cancelled upload is gone")
    func cancel() async throws {
        try await withStorage { storage in
            let id = try await storage.startUpload(foo)
            _ = try await storage.appendUpload(foo, id, expectedOffset: 0, body: byteStream([[1, 2, 3]]))
            try await storage.cancelUpload(foo, id)
            await expectRegistryError(.blobUploadUnknown) { _ = try await storage.uploadOffset(foo, id) }
            await expectRegistryError(.blobUploadUnknown) {
                _ = try await storage.appendUpload(foo, id, expectedOffset: nil, body: byteStream([[4]]))
            }
            await expectRegistryError(.blobUploadUnknown) { try await storage.cancelUpload(foo, id) }
            #expect(regularFiles(under: storage.rootDirectory + "/foo/.uploads").isEmpty)
        }
    }

    @Test("an unknown upload id is BLOB_UPLOAD_UNKNOWN for every operation")
    func unknownUpload() async throws {
        try await withStorage { storage in
            let id = try #require(UploadID("0123456789abcdef0123456789abcdef"))
            await expectRegistryError(.blobUploadUnknown) { _ = try await storage.uploadOffset(foo, id) }
            await expectRegistryError(.blobUploadUnknown) {
                _ = try await storage.appendUpload(foo, id, expectedOffset: nil, body: byteStream([[1]]))
            }
            await expectRegistryError(.blobUploadUnknown) { _ = try await storage.finishUpload(foo, id, digest: Digest.of([1])) }
            await expectRegistryError(.blobUploadUnknown) { try await storage.cancelUpload(foo, id) }
        }
    }

    @Test("an upload id owned by another repository is BLOB_UPLOAD_UNKNOWN and left intact")
    func foreignUpload() async throws {
        try await withStorage { storage in
            let bar = repo("bar")
            let id = try await storage.startUpload(foo)
            _ = try await storage.appendUpload(foo, id, expectedOffset: 0, body: byteStream([[1, 2, 3]]))
            await expectRegistryError(.blobUploadUnknown) { _ = try await storage.uploadOffset(bar, id) }
            await expectRegistryError(.blobUploadUnknown) {
                _ = try await storage.appendUpload(bar, id, expectedOffset: nil, body: byteStream([[4]]))
            }
            await expectRegistryError(.blobUploadUnknown) { _ = try await storage.finishUpload(bar, id, digest: Digest.of([1, 2, 3])) }
            await expectRegistryError(.blobUploadUnknown) { try await storage.cancelUpload(bar, id) }
            #expect(try await storage.blobSize(bar, Digest.of([1, 2, 3])) == nil)
            #expect(try await storage.uploadOffset(foo, id) == 3)
            #expect(try await storage.finishUpload(foo, id, digest: Digest.of([1, 2, 3])) == 3)
        }
    }
}
