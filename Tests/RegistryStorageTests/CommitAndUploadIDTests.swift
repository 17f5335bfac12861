import Foundation
import RegistryCore
import RegistryStorage
import Testing

@Suite("Durable commits and upload ids")
struct CommitAndUploadIDTests {
    @Test("with commit enabled an upload and a manifest are stored and read back")
    func commitPath() async throws {
        try await withStorage(commit: true) { storage in
            let foo = repo("foo")
            let config = Array("{}".utf8)
            let layer = sampleBytes(70_000)
            let configDigest = try await pushBlob(storage, foo, config)
            let layerDigest = try await pushBlob(storage, foo, layer, chunkSize: 30_000)
            #expect(storedContent(storage, foo, layerDigest) == layer)
            let body = Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":{\"mediaType\":\"x/c\",\"digest\":\"\(configDigest)\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"x/l\",\"digest\":\"\(layerDigest)\",\"size\":70000}]}").utf8)
            let parsed = try ParsedManifest.parse(body, contentType: MediaType.ociManifest)
            let digest = try await storage.putManifest(foo, reference: .tag("latest"), body: body, manifest: parsed)
            #expect(try await storage.manifest(foo, .tag("latest")).digest == digest)
            #expect(try await storage.mountBlob(layerDigest, into: repo("bar"), from: foo))
            #expect(try await storage.catalog() == ["bar", "foo"])
        }
    }

    @Test("a trailing slash on the root directory is tolerated")
    func trailingSlash() async throws {
        try await withTemporaryRoot { root in
            let storage = try layoutStorage(root + "/")
            #expect(storage.rootDirectory == root)
            try await pushBlob(storage, repo("foo"), [1, 2, 3])
        }
    }

    @Test("upload ids are exactly 32 lowercase hex characters", arguments: [
        ("0123456789abcdef0123456789abcdef", true),
        ("ffffffffffffffffffffffffffffffff", true),
        ("0123456789ABCDEF0123456789ABCDEF", false),
        ("0123456789abcdef0123456789abcde", false),
        ("0123456789abcdef0123456789abcdef0", false),
        ("../x", false),
        ("../../../../../../../../etc/pass", false),
        ("0123456789abcdef0123456789abcde/", false),
        ("0123456789abcdef0123456789abcdeg", false),
        ("", false),
        ("0123456789abcdef-123456789abcdef", false),
    ])
    func uploadIDValidation(text: String, valid: Bool) {
        #expect((UploadID(text) != nil) == valid)
        if valid { #expect(UploadID(text)?.description == text) }
    }

    @Test("random upload ids are valid and distinct")
    func randomIDs() {
        let ids = (0..<100).map { _ in UploadID.random() }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { UploadID($0.value) == $0 })
    }
}
