import Foundation
import NIOCore
import RegistryCore
import RegistryPolicy
import RegistryRetention
import RegistryStorage
import Testing

@Suite("Garbage collection racing pushes")
struct GarbageCollectorRaceTests {
    /// An image manifest over `config` and `layers` (already uploaded).
    static func manifest(config: Digest, configSize: Int, layers: [(Digest, Int)]) -> [UInt8] {
        let layerText = layers.map { "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"\($0.0)\",\"size\":\($0.1)}" }
        return Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":{\"mediaType\":"
            + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"\(config)\",\"size\":\(configSize)},"
            + "\"layers\":[\(layerText.joined(separator: ","))]}").utf8)
    }

    @Test("Pushing while GC runs every few milliseconds with gcDelay 1 s never loses a blob of a pushed manifest")
    func pushesSurviveConcurrentCollection() async throws {
        try await withStorage { storage in
            let collector = GarbageCollector(storage: storage, delay: 1, uploadExpiry: 1,
                                             retention: RetentionSettings(delay: 1, policies: [
                                                 RetentionPolicy(repositories: [try GlobPattern("**")], keepTags: [
                                                     KeepTagsRule(criteria: KeepCriteria(mostRecentlyPushedCount: 1000)),
                                                 ]),
                                             ]))
            let base = sampleBytes(4096, seed: 7)  // shared by every image: dedupe links an old file into each repository
            let stop = ManagedAtomicFlag()
            let gc = Task {
                var passes = 0
                while !stop.isSet {
                    _ = await collector.collect()
                    passes += 1
                    try? await Task.sleep(for: .milliseconds(5))
                }
                return passes
            }
            var pushed: [(RepositoryName, String, [UInt8])] = []
            try await withThrowingTaskGroup(of: (RepositoryName, String, [UInt8]).self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [(RepositoryName, String, [UInt8])] = []
                        for round in 0..<6 {
                            let repository = repo("race/w\(worker)/r\(round)")
                            let config = Array("{\"worker\":\(worker),\"round\":\(round)}".utf8)
                            let layer = sampleBytes(1024, seed: UInt8(worker * 16 + round))
                            let configDigest = try await pushBlob(storage, repository, config)
                            let layerDigest = try await pushBlob(storage, repository, layer)
                            let baseDigest = try await pushBlob(storage, repository, base)
                            // The manifest comes after the blobs, sometimes later than gcDelay (a slow client).
                            try await Task.sleep(for: .milliseconds(round % 3 == 0 ? 1200 : 150))
                            let body = Self.manifest(config: configDigest, configSize: config.count,
                                                     layers: [(baseDigest, base.count), (layerDigest, layer.count)])
                            let tag = "t\(round)"
                            do {
                                _ = try await ManifestStoreTests.put(storage, repository, tag, body)
                                mine.append((repository, tag, body))
                            } catch let error as RegistryError where error.code == .manifestBlobUnknown && round % 3 == 0 {
                                // Blobs left unreferenced for longer than gcDelay may be collected before their manifest
                                // comes: that push is refused (the client re-uploads), never accepted with a missing blob.
                                // A manifest that comes within gcDelay is never refused (any other error fails the test).
                            }
                        }
                        return mine.last!
                    }
                }
                for try await last in group { pushed.append(last) }
            }
            stop.set()
            let passes = await gc.value
            #expect(passes > 3, "GC ran \(passes) times during the pushes")
            for (repository, tag, body) in pushed {
                let stored = try await storage.manifest(repository, .tag(tag))
                #expect(stored.body == body)
                for blob in try ParsedManifest.parse(body, contentType: nil).blobs {
                    #expect(try await storage.blobSize(repository, blob) != nil, "\(repository):\(tag) lost \(blob)")
                }
            }
            // Everything still listed is complete after a final pass long after the delay.
            _ = await collector.collect(now: Date().addingTimeInterval(3600))
            for (repository, tag, body) in pushed {
                for blob in try ParsedManifest.parse(body, contentType: nil).blobs {
                    #expect(try await storage.blobSize(repository, blob) != nil, "\(repository):\(tag) lost \(blob) to a late pass")
                }
            }
        }
    }
}

/// A flag set once, read from other tasks.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
