import Foundation
import RegistryCore
import RegistryStorage
import Testing

@Suite("Zot's on-disk format")
struct ZotLayoutTests {
    let foo = repo("foo")

    func index(_ storage: LayoutStorage, _ name: String) async throws -> [String: Any] {
        let bytes = try await storage.driver.getContent(StoragePath("/\(name)/index.json"), maximumSize: 1 << 20)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    func entries(_ storage: LayoutStorage, _ name: String) async throws -> [[String: Any]] {
        try await index(storage, name)["manifests"] as? [[String: Any]] ?? []
    }

    @Test("a tag push writes oci-layout and an index.json entry with mediaType, digest, size and the ref.name annotation")
    func indexEntries() async throws {
        try await withStorage { storage in
            let body = try await ManifestStoreTests.imageManifest(storage, foo)
            let digest = try await ManifestStoreTests.put(storage, foo, "v1", body)
            let layout = try await storage.driver.getContent(StoragePath("/foo/oci-layout"), maximumSize: 100)
            #expect(String(decoding: layout, as: UTF8.self) == #"{"imageLayoutVersion":"1.0.0"}"#)
            #expect(try await index(storage, "foo")["schemaVersion"] as? Int == 2)
            let all = try await entries(storage, "foo")
            #expect(all.count == 1)
            #expect(all.first?["digest"] as? String == digest.description)
            #expect(all.first?["mediaType"] as? String == MediaType.ociManifest)
            #expect(all.first?["size"] as? Int == body.count)
            #expect(all.first?["annotations"] as? [String: String] == ["org.opencontainers.image.ref.name": "v1"])
            #expect(FileManager.default.fileExists(atPath: "\(storage.rootDirectory)/foo/blobs/sha256/\(digest.hex)"))
        }
    }

    @Test("push by digest adds one untagged entry; tagging it replaces that entry; untagging restores it, as Zot does")
    func untaggedEntries() async throws {
        try await withStorage { storage in
            let body = try await ManifestStoreTests.imageManifest(storage, foo)
            let digest = try await ManifestStoreTests.put(storage, foo, Digest.of(body).description, body)
            try await ManifestStoreTests.put(storage, foo, digest.description, body)
            #expect(try await entries(storage, "foo").count == 1)
            #expect(try await entries(storage, "foo").first?["annotations"] == nil)
            try await ManifestStoreTests.put(storage, foo, "v1", body)
            try await ManifestStoreTests.put(storage, foo, "v2", body)
            #expect(try await entries(storage, "foo").compactMap { ($0["annotations"] as? [String: String])?.values.first }.sorted() == ["v1", "v2"])
            try await storage.deleteManifest(foo, .tag("v1"))
            #expect(try await entries(storage, "foo").count == 1, "v2 still lists the manifest")
            try await storage.deleteManifest(foo, .tag("v2"))
            let remaining = try await entries(storage, "foo")
            #expect(remaining.count == 1 && remaining.first?["annotations"] == nil && remaining.first?["digest"] as? String == digest.description)
            #expect(try await storage.manifest(foo, .digest(digest)).body == body)
            try await storage.deleteManifest(foo, .digest(digest))
            #expect(try await entries(storage, "foo").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "\(storage.rootDirectory)/foo/blobs/sha256/\(digest.hex)"))
        }
    }

    @Test("fields another tool wrote into index.json survive our rewrites")
    func foreignFieldsSurvive() async throws {
        try await withStorage { storage in
            let body = try await ManifestStoreTests.imageManifest(storage, foo)
            let digest = try await ManifestStoreTests.put(storage, foo, "v1", body)
            let text = #"{"schemaVersion":2,"annotations":{"x":"y"},"manifests":[{"mediaType":"\#(MediaType.ociManifest)","digest":"\#(digest)","size":\#(body.count),"platform":{"architecture":"arm64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}"#
            try await storage.driver.putContent(StoragePath("/foo/index.json"), Array(text.utf8))
            try await ManifestStoreTests.put(storage, foo, "v2", body)
            let document = try await index(storage, "foo")
            #expect(document["annotations"] as? [String: String] == ["x": "y"])
            let v1 = try #require(try await entries(storage, "foo").first { ($0["annotations"] as? [String: String])?.values.first == "v1" })
            #expect((v1["platform"] as? [String: String])?["architecture"] == "arm64")
        }
    }

    @Test("the registry logic runs unchanged on the in-memory driver")
    func inMemory() async throws {
        let storage = LayoutStorage(driver: InMemoryDriver())
        let body = try await ManifestStoreTests.imageManifest(storage, repo("a/b"))
        let digest = try await ManifestStoreTests.put(storage, repo("a/b"), "latest", body)
        #expect(try await storage.catalog() == ["a/b"])
        #expect(try await storage.tags(repo("a/b")) == ["latest"])
        #expect(try await storage.manifest(repo("a/b"), .tag("latest")).digest == digest)
        let parsed = try ParsedManifest.parse(body, contentType: nil)
        #expect(try await storage.mountBlob(parsed.blobs[1], into: repo("c"), from: repo("a/b")))
        #expect(try await storage.blobSize(repo("c"), parsed.blobs[1]) == 256)
        #expect(storage.localBlobFile(repo("c"), parsed.blobs[1]) == nil)
        var read: [UInt8] = []
        for try await chunk in try await storage.readBlob(repo("c"), parsed.blobs[1], offset: 10, length: 5) {
            read.append(contentsOf: chunk.readableBytesView)
        }
        #expect(read == Array(sampleBytes(256, seed: 1)[10..<15]))
    }

    @Test("a root in the earlier zot-authz layout is refused with what to do; a Zot root is accepted")
    func legacyLayoutRefused() async throws {
        try await withTemporaryRoot { root in
            try FileManager.default.createDirectory(atPath: root + "/repositories/app/_tags", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/blobs/sha256/aa", withIntermediateDirectories: true)
            #expect(throws: LegacyLayoutError.self) { try LegacyLayoutCheck.refuseLegacyLayout(localRoot: root) }
            await #expect(throws: LegacyLayoutError.self) {
                _ = try await LayoutStorage.open(driver: FileSystemDriver(rootDirectory: root))
            }
            do {
                try LegacyLayoutCheck.refuseLegacyLayout(localRoot: root)
            } catch {
                #expect("\(error)".contains("earlier private layout"))
                #expect("\(error)".contains("skopeo copy"))
            }
        }
        try await withStorage { storage in
            try await ManifestStoreTests.put(storage, repo("repositories"), "v1", try await ManifestStoreTests.imageManifest(storage, repo("repositories")))
            try LegacyLayoutCheck.refuseLegacyLayout(localRoot: storage.rootDirectory)
        }
    }

    @Test("subPaths route by the first name segment, as Zot's GetRoutePrefix", arguments: [
        ("a/x/y", "/a"), ("alpine", "/"), ("a", "/"), ("team/app", "/team"),
    ])
    func routePrefix(name: String, route: String) {
        #expect(RoutedStorage.routePrefix(name) == route)
    }

    @Test("a routed repository lives in its route's store and the catalog merges the stores")
    func routedStores() async throws {
        let main = LayoutStorage(driver: InMemoryDriver()), sub = LayoutStorage(driver: InMemoryDriver())
        let routed = RoutedStorage(defaultStore: main, routes: ["/a": sub])
        try await pushBlob(routed.store(for: repo("a/x")), repo("a/x"), [1])
        try await pushBlob(routed.store(for: repo("b")), repo("b"), [2])
        #expect(try await sub.catalog() == ["a/x"])
        #expect(try await main.catalog() == ["b"])
        #expect(try await routed.catalog() == ["a/x", "b"])
        #expect(try await routed.mountBlob(Digest.of([1]), into: repo("b"), from: repo("a/x")), "across stores the blob is copied")
        #expect(try await main.blobSize(repo("b"), Digest.of([1])) == 1)
    }
}
