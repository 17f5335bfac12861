import Foundation
import RegistryCore
import RegistryStorage
import Testing

@Suite("Garbage collection")
struct GarbageCollectorTests {
    @Test("a blob no repository references is removed once older than the delay, and a referenced one stays")
    func removesOnlyUnreferencedOldBlobs() async throws {
        try await withStorage { storage in
            let kept = try await pushBlob(storage, repo("a"), Array("kept".utf8))
            let orphan = try await pushBlob(storage, repo("a"), Array("orphan".utf8))
            try storage.deleteBlob(repo("a"), orphan)
            let collector = GarbageCollector(storage: storage, delay: 3600)

            #expect(await collector.collect().blobsRemoved == 0, "younger than gcDelay: left alone")
            #expect(storage.storedBlobSize(orphan) != nil)

            let report = await collector.collect(now: Date().addingTimeInterval(7200))
            #expect(report.blobsRemoved == 1)
            #expect(report.bytesFreed == 6)
            #expect(storage.storedBlobSize(orphan) == nil)
            #expect(storage.blobSize(repo("a"), kept) == 4)
        }
    }

    @Test("a blob still linked by another repository survives its deletion from one")
    func sharedBlobSurvives() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("a"), Array("shared".utf8))
            #expect(try storage.mountBlob(digest, into: repo("b"), from: repo("a")))
            try storage.deleteBlob(repo("a"), digest)
            _ = await GarbageCollector(storage: storage, delay: 0).collect(now: Date().addingTimeInterval(10))
            #expect(storage.blobSize(repo("b"), digest) == 6)
        }
    }

    @Test("an abandoned upload is removed after the upload expiry")
    func abandonedUploadsExpire() async throws {
        try await withStorage { storage in
            let id = try await storage.startUpload(repo("a"))
            let collector = GarbageCollector(storage: storage, delay: 0, uploadExpiry: 100)
            #expect(await collector.collect().uploadsRemoved == 0)
            #expect(await collector.collect(now: Date().addingTimeInterval(1000)).uploadsRemoved == 1)
            await #expect(throws: RegistryError.self) { _ = try await storage.uploadOffset(repo("a"), id) }
        }
    }
}
