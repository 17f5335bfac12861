import Foundation
import NIOCore
import RegistryCore
import RegistryPolicy
import RegistryRetention
import RegistryStorage
import Testing

@Suite("Garbage collection")
struct GarbageCollectorTests {
    @Test("a blob no manifest references is removed once older than the delay, and a referenced one stays")
    func removesOnlyUnreferencedOldBlobs() async throws {
        try await withStorage { storage in
            let a = repo("a")
            let body = try await ManifestStoreTests.imageManifest(storage, a)
            let manifest = try await ManifestStoreTests.put(storage, a, "latest", body)
            let orphan = try await pushBlob(storage, a, Array("orphan".utf8))
            let collector = GarbageCollector(storage: storage, delay: 3600)

            #expect(await collector.collect().blobsRemoved == 0, "younger than gcDelay: left alone")
            #expect(try await storage.blobSize(a, orphan) == 6)

            let report = await collector.collect(now: Date().addingTimeInterval(7200))
            #expect(report.blobsRemoved == 1)
            #expect(report.bytesFreed == 6)
            #expect(try await storage.blobSize(a, orphan) == nil)
            #expect(try await storage.manifest(a, .tag("latest")).digest == manifest)
            let parsed = try ParsedManifest.parse(body, contentType: nil)
            for blob in parsed.blobs { #expect(try await storage.blobSize(a, blob) != nil, "config and layers stay") }
        }
    }

    @Test("an untagged manifest is kept with its blobs when deleteUntagged is false, and by default (as Zot) goes once older than the delay")
    func untaggedManifests() async throws {
        try await withStorage { storage in
            let a = repo("a")
            let body = try await ManifestStoreTests.imageManifest(storage, a)
            let digest = try await ManifestStoreTests.put(storage, a, "latest", body)
            try await storage.deleteManifest(a, .tag("latest"))
            let later = Date().addingTimeInterval(7200)
            let keeping = RetentionSettings(delay: 3600, policies: [RetentionPolicy(repositories: [try GlobPattern("**")], deleteUntagged: false)])
            let kept = await GarbageCollector(storage: storage, delay: 3600, retention: keeping).collect(now: later)
            #expect(kept.blobsRemoved == 0 && kept.manifestsRemoved == 0)
            #expect(try await storage.manifest(a, .digest(digest)).digest == digest)
            #expect(await GarbageCollector(storage: storage, delay: 3600).collect(now: Date()).manifestsRemoved == 0, "younger than the delay")
            let report = await GarbageCollector(storage: storage, delay: 3600).collect(now: later)
            #expect(report.manifestsRemoved == 1)
            #expect(report.blobsRemoved == 3, "manifest, config and layer")
            #expect(report.deletions.first?.rule == "storage.gc.deleteUntagged")
        }
    }

    @Test("collecting or deleting a blob in one repository never touches another repository's link to it")
    func sharedBlobSurvives() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("a"), Array("shared".utf8))
            #expect(try await storage.mountBlob(digest, into: repo("b"), from: repo("a")))
            let body = Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"\(digest)\",\"size\":6},\"layers\":[]}").utf8)
            _ = try await ManifestStoreTests.put(storage, repo("b"), "v1", body)
            let report = await GarbageCollector(storage: storage, delay: 0).collect(now: Date().addingTimeInterval(10))
            #expect(report.blobsRemoved == 1)
            #expect(try await storage.blobSize(repo("a"), digest) == nil, "unreferenced in a: collected")
            #expect(storedContent(storage, repo("b"), digest) == Array("shared".utf8), "referenced in b: intact")
            let refused = await expectRegistryError(.denied) { try await storage.deleteBlob(repo("b"), digest) }
            #expect(refused?.status == 405, "a blob a manifest references is not deleted (as Zot)")
            try await pushBlob(storage, repo("c"), Array("kept".utf8))
            #expect(try await storage.mountBlob(Digest.of(Array("kept".utf8)), into: repo("d"), from: repo("c")))
            try await storage.deleteBlob(repo("c"), Digest.of(Array("kept".utf8)))
            #expect(storedContent(storage, repo("d"), Digest.of(Array("kept".utf8))) == Array("kept".utf8))
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

    @Test("an upload is abandoned only when idle: one being written, or written lately, is kept")
    func activeUploadsSurvive() async throws {
        try await withStorage { storage in
            let id = try await storage.startUpload(repo("a"))
            let collector = GarbageCollector(storage: storage, delay: 0, uploadExpiry: 2)
            let (body, feed) = AsyncStream<ByteBuffer>.makeStream()
            let writing = Task { try await storage.appendUpload(repo("a"), id, expectedOffset: 0, body: body) }
            feed.yield(ByteBuffer(bytes: [1, 2, 3]))
            try await Task.sleep(for: .milliseconds(200))
            #expect(await collector.collect(now: Date().addingTimeInterval(1000)).uploadsRemoved == 0, "busy")
            feed.finish()
            #expect(try await writing.value == 3)
            try await Task.sleep(for: .milliseconds(2100))
            _ = try await storage.appendUpload(repo("a"), id, expectedOffset: 3, body: byteStream([[4]]))
            // The marker is over two seconds old, but the last write is fresh.
            #expect(await collector.collect(now: Date().addingTimeInterval(1)).uploadsRemoved == 0, "written lately")
            #expect(await collector.collect(now: Date().addingTimeInterval(10)).uploadsRemoved == 1, "idle")
        }
    }
}
