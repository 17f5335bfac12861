import Foundation
import RegistryCore
import RegistryStorage
import Testing

@Suite("Scrub")
struct ScrubberTests {
    @Test("An intact repository has no problems; a corrupted layer and a missing config are reported with the image, nothing is changed")
    func findsCorruption() async throws {
        try await withStorage { storage in
            let a = repo("team/app")
            let body = try await ManifestStoreTests.imageManifest(storage, a)
            _ = try await ManifestStoreTests.put(storage, a, "v1", body)
            let clean = try await Scrubber(storage: storage).scrub()
            #expect(clean.problems.isEmpty && clean.blobsChecked == 3 && clean.manifestsChecked == 1)

            let parsed = try ParsedManifest.parse(body, contentType: nil)
            let config = parsed.blobs[0], layer = parsed.blobs[1]
            let layerFile = storage.rootDirectory + "/team/app/blobs/sha256/" + layer.hex
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: layerFile)))
            bytes[10] ^= 0xff
            try Data(bytes).write(to: URL(fileURLWithPath: layerFile))
            try FileManager.default.removeItem(atPath: storage.rootDirectory + "/team/app/blobs/sha256/" + config.hex)

            let report = try await Scrubber(storage: storage).scrub()
            let byDigest = Dictionary(uniqueKeysWithValues: report.problems.map { ($0.digest, $0) })
            #expect(byDigest[layer.description]?.kind == .corrupt)
            #expect(byDigest[layer.description]?.images == ["v1"])
            #expect(byDigest[config.description]?.kind == .missing)
            #expect(report.problems.count == 2)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: layerFile))) == bytes, "reported, never repaired or deleted")
            #expect(try await Scrubber(storage: storage).scrub(include: { $0 == "other" }).problems.isEmpty)
        }
    }
}
