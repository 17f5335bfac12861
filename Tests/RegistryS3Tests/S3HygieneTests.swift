import Foundation
import NIOCore
import RegistryCore
import RegistryPolicy
import RegistryRetention
import RegistryStorage
import Testing
@testable import RegistryS3

/// Retention, GC and scrub run on S3 exactly as on the filesystem: only through the StorageDriver.
@Suite("Retention, GC and scrub on S3 (moto_server)",
       .enabled(if: MotoServer.isInstalled, "moto_server is not installed: pip install 'moto[server]' boto3 (scripts/install-deps.sh does)"))
struct S3HygieneTests {
    static func upload(_ storage: LayoutStorage, _ repository: RepositoryName, _ content: [UInt8]) async throws -> Digest {
        let digest = Digest.of(content)
        let id = try await storage.startUpload(repository)
        let body = AsyncStream<ByteBuffer> { continuation in
            continuation.yield(ByteBuffer(bytes: content))
            continuation.finish()
        }
        _ = try await storage.appendUpload(repository, id, expectedOffset: nil, body: body)
        _ = try await storage.finishUpload(repository, id, digest: digest)
        return digest
    }

    static func push(_ storage: LayoutStorage, _ repository: RepositoryName, tag: String) async throws -> (Digest, [Digest]) {
        let config = Array("{\"tag\":\"\(tag)\"}".utf8), layer = Array("layer of \(tag)".utf8)
        let configDigest = try await upload(storage, repository, config)
        let layerDigest = try await upload(storage, repository, layer)
        let body = Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":{\"mediaType\":"
            + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"\(configDigest)\",\"size\":\(config.count)},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"\(layerDigest)\",\"size\":\(layer.count)}]}").utf8)
        let digest = try await storage.putManifest(repository, reference: .tag(tag), body: body,
                                                   manifest: try ParsedManifest.parse(body, contentType: nil))
        return (digest, [configDigest, layerDigest])
    }

    @Test("mostRecentlyPushedCount 1 keeps the newest tag; GC reclaims the other image's blobs; scrub finds a corrupted layer")
    func retentionGCAndScrub() async throws {
        let driver = try await S3StorageDriverTests.freshDriver()
        let storage = LayoutStorage(driver: driver)
        let repository = RepositoryName("team/app")!
        let (oldManifest, oldBlobs) = try await Self.push(storage, repository, tag: "v1")
        let (newManifest, newBlobs) = try await Self.push(storage, repository, tag: "v2")
        let activity = InMemoryActivityStore()
        await activity.record([
            ActivityEvent(repository: "team/app", digest: oldManifest, tag: "v1", kind: .push(user: "ci"), time: Date(timeIntervalSinceNow: -20)),
            ActivityEvent(repository: "team/app", digest: newManifest, tag: "v2", kind: .push(user: "ci"), time: Date(timeIntervalSinceNow: -10)),
        ])
        let retention = RetentionSettings(delay: 0, policies: [RetentionPolicy(repositories: [try GlobPattern("**")], keepTags: [
            KeepTagsRule(criteria: KeepCriteria(mostRecentlyPushedCount: 1)),
        ])])
        let report = await GarbageCollector(storage: storage, delay: 0, retention: retention, activity: activity)
            .collect(now: Date().addingTimeInterval(5))
        #expect(report.tagsRemoved == 1 && report.manifestsRemoved == 1)
        #expect(try await storage.tags(repository) == ["v2"])
        for blob in oldBlobs + [oldManifest] { #expect(try await storage.blobSize(repository, blob) == nil, "\(blob) reclaimed") }
        for blob in newBlobs + [newManifest] { #expect(try await storage.blobSize(repository, blob) != nil, "\(blob) kept") }

        #expect(try await Scrubber(storage: storage).scrub().problems.isEmpty)
        try await driver.putContent(StoragePath("/team/app/blobs/sha256/\(newBlobs[1].hex)"), Array("tampered".utf8))
        let problems = try await Scrubber(storage: storage).scrub().problems
        #expect(problems.map(\.digest) == [newBlobs[1].description] && problems.first?.kind == .corrupt && problems.first?.images == ["v2"])
    }
}
