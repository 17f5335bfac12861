import Foundation
import RegistryCore
import RegistryStorage
import Testing

@Suite("Manifests, tags, catalog and referrers")
struct ManifestStoreTests {
    let foo = repo("foo")

    /// Pushes a config and a layer to `repository` and returns an image manifest body that uses them.
    static func imageManifest(_ storage: LayoutStorage, _ repository: RepositoryName, seed: UInt8 = 1,
                              configType: String = "application/vnd.oci.image.config.v1+json",
                              extra: String = "") async throws -> [UInt8] {
        let config = Array("{\"seed\":\(seed)}".utf8)
        let layer = sampleBytes(256, seed: seed)
        let configDigest = try await pushBlob(storage, repository, config)
        let layerDigest = try await pushBlob(storage, repository, layer)
        var text = "{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\","
            + "\"config\":{\"mediaType\":\"\(configType)\",\"digest\":\"\(configDigest)\",\"size\":\(config.count)},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"\(layerDigest)\",\"size\":256}]"
        if !extra.isEmpty { text += "," + extra }
        return Array((text + "}").utf8)
    }

    @discardableResult
    static func put(_ storage: LayoutStorage, _ repository: RepositoryName, _ reference: String, _ body: [UInt8],
                    contentType: String? = nil) async throws -> Digest {
        let parsed = try ParsedManifest.parse(body, contentType: contentType)
        let ref = try #require(Reference(reference))
        return try await storage.putManifest(repository, reference: ref, body: body, manifest: parsed)
    }

    static func subjectField(_ digest: Digest, size: Int) -> String {
        "\"subject\":{\"mediaType\":\"\(MediaType.ociManifest)\",\"digest\":\"\(digest)\",\"size\":\(size)}"
    }

    @Test("a manifest put by tag reads back by tag and by digest with its media type")
    func putAndGet() async throws {
        try await withStorage { storage in
            let body = try await Self.imageManifest(storage, foo)
            let digest = try await Self.put(storage, foo, "latest", body)
            #expect(digest == Digest.of(body))
            #expect(try await storage.resolveTag(foo, "latest") == digest)
            for reference in [Reference.tag("latest"), .digest(digest)] {
                let stored = try await storage.manifest(foo, reference)
                #expect(stored.body == body)
                #expect(stored.digest == digest)
                #expect(stored.mediaType == MediaType.ociManifest)
            }
            #expect(try await storage.tags(foo) == ["latest"])
        }
    }

    @Test("a Docker manifest keeps its media type")
    func dockerMediaType() async throws {
        try await withStorage { storage in
            let oci = try await Self.imageManifest(storage, foo)
            let text = String(decoding: oci, as: UTF8.self).replacingOccurrences(of: MediaType.ociManifest, with: MediaType.dockerManifest)
            let digest = try await Self.put(storage, foo, "v1", Array(text.utf8), contentType: MediaType.dockerManifest)
            #expect(try await storage.manifest(foo, .digest(digest)).mediaType == MediaType.dockerManifest)
        }
    }

    @Test("a manifest referencing a blob the repository lacks is MANIFEST_BLOB_UNKNOWN")
    func missingBlob() async throws {
        try await withStorage { storage in
            let body = try await Self.imageManifest(storage, repo("other"))
            await expectRegistryError(.manifestBlobUnknown) { try await Self.put(storage, foo, "latest", body) }
            #expect(try await storage.resolveTag(foo, "latest") == nil)
        }
    }

    @Test("an index referencing a manifest the repository lacks is MANIFEST_BLOB_UNKNOWN")
    func indexMissingChild() async throws {
        try await withStorage { storage in
            let child = try await Self.imageManifest(storage, foo)
            let childDigest = try await Self.put(storage, foo, "child", child)
            func index(_ digest: Digest) -> [UInt8] {
                Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":[{\"mediaType\":\""
                    + MediaType.ociManifest + "\",\"digest\":\"\(digest)\",\"size\":\(child.count)}]}").utf8)
            }
            let indexDigest = try await Self.put(storage, foo, "multi", index(childDigest))
            #expect(try await storage.manifest(foo, .tag("multi")).digest == indexDigest)
            #expect(try await storage.manifest(foo, .tag("multi")).mediaType == MediaType.ociIndex)
            await expectRegistryError(.manifestBlobUnknown) { try await Self.put(storage, foo, "broken", index(Digest.of([1]))) }
        }
    }

    @Test("a manifest put by a digest that does not match its body is DIGEST_INVALID")
    func putByWrongDigest() async throws {
        try await withStorage { storage in
            let body = try await Self.imageManifest(storage, foo)
            await expectRegistryError(.digestInvalid) { try await Self.put(storage, foo, Digest.of([0]).description, body) }
            await expectRegistryError(.digestInvalid) {
                let sha512Text = Digest.of(body, algorithm: .sha512).description
                let tampered = String(sha512Text.dropLast()) + (sha512Text.hasSuffix("0") ? "1" : "0")
                try await Self.put(storage, foo, tampered, body)
            }
            let right = try await Self.put(storage, foo, Digest.of(body).description, body)
            #expect(try await storage.manifest(foo, .digest(right)).body == body)
            #expect(try await storage.tags(foo) == [])
            let sha512 = Digest.of(body, algorithm: .sha512)
            #expect(try await Self.put(storage, foo, sha512.description, body) == sha512)
            #expect(try await storage.manifest(foo, .digest(sha512)).body == body)
        }
    }

    @Test("putting a tag again moves it to the new manifest")
    func overwriteTag() async throws {
        try await withStorage { storage in
            let old = try await Self.put(storage, foo, "latest", try await Self.imageManifest(storage, foo, seed: 1))
            let new = try await Self.put(storage, foo, "latest", try await Self.imageManifest(storage, foo, seed: 2))
            #expect(old != new)
            #expect(try await storage.resolveTag(foo, "latest") == new)
            #expect(try await storage.manifest(foo, .tag("latest")).digest == new)
            #expect(try await storage.manifest(foo, .digest(old)).digest == old, "the old revision stays reachable by digest")
        }
    }

    @Test("a create-only put never moves an existing tag, even when pushes race")
    func createOnlyTagIsAtomic() async throws {
        try await withStorage { storage in
            let bodies = [try await Self.imageManifest(storage, foo, seed: 1), try await Self.imageManifest(storage, foo, seed: 2),
                          try await Self.imageManifest(storage, foo, seed: 3), try await Self.imageManifest(storage, foo, seed: 4)]
            let outcomes = await withTaskGroup(of: Digest?.self) { group in
                for body in bodies {
                    group.addTask {
                        guard let parsed = try? ParsedManifest.parse(body, contentType: nil) else { return nil }
                        return try? await storage.putManifest(repo("foo"), reference: .tag("v1"), body: body, manifest: parsed, tagMustBeNew: true)
                    }
                }
                return await group.reduce(into: [Digest]()) { if let d = $1 { $0.append(d) } }
            }
            #expect(outcomes.count == 1, "exactly one racing create wins")
            #expect(try await storage.resolveTag(foo, "v1") == outcomes.first)
            let parsed = try ParsedManifest.parse(bodies[0], contentType: nil)
            await #expect(throws: RegistryError.self) {
                try await storage.putManifest(foo, reference: .tag("v1"), body: bodies[0], manifest: parsed, tagMustBeNew: true)
            }
        }
    }

    @Test("deleting a tag removes only the tag")
    func deleteTag() async throws {
        try await withStorage { storage in
            let digest = try await Self.put(storage, foo, "latest", try await Self.imageManifest(storage, foo))
            try await Self.put(storage, foo, "stable", try await storage.manifest(foo, .digest(digest)).body)
            try await storage.deleteManifest(foo, .tag("latest"))
            #expect(try await storage.tags(foo) == ["stable"])
            await expectRegistryError(.manifestUnknown) { _ = try await storage.manifest(foo, .tag("latest")) }
            #expect(try await storage.manifest(foo, .digest(digest)).digest == digest)
            await expectRegistryError(.manifestUnknown) { try await storage.deleteManifest(foo, .tag("latest")) }
        }
    }

    @Test("deleting by digest removes the manifest and every tag pointing to it, and no other tag")
    func deleteDigest() async throws {
        try await withStorage { storage in
            let body = try await Self.imageManifest(storage, foo, seed: 1)
            let digest = try await Self.put(storage, foo, "a", body)
            try await Self.put(storage, foo, "b", body)
            let other = try await Self.put(storage, foo, "c", try await Self.imageManifest(storage, foo, seed: 2))
            try await storage.deleteManifest(foo, .digest(digest))
            #expect(try await storage.tags(foo) == ["c"])
            await expectRegistryError(.manifestUnknown) { _ = try await storage.manifest(foo, .digest(digest)) }
            await expectRegistryError(.manifestUnknown) { _ = try await storage.manifest(foo, .tag("a")) }
            #expect(try await storage.manifest(foo, .tag("c")).digest == other)
            await expectRegistryError(.manifestUnknown) { try await storage.deleteManifest(foo, .digest(digest)) }
        }
    }

    @Test("a manifest is only visible in the repository it was put in")
    func manifestsArePerRepository() async throws {
        try await withStorage { storage in
            let digest = try await Self.put(storage, foo, "latest", try await Self.imageManifest(storage, foo))
            await expectRegistryError(.manifestUnknown) { _ = try await storage.manifest(repo("bar"), .digest(digest)) }
        }
    }

    @Test("tags are listed sorted; an unknown repository has no tag list")
    func tagsSorted() async throws {
        try await withStorage { storage in
            let body = try await Self.imageManifest(storage, foo)
            for tag in ["v2", "latest", "V1", "_x", "a.b", "a-b", "1.0"] { try await Self.put(storage, foo, tag, body) }
            #expect(try await storage.tags(foo) == ["1.0", "V1", "_x", "a-b", "a.b", "latest", "v2"])
            #expect(try await storage.tags(repo("nobody")) == nil)
            #expect(try await storage.resolveTag(foo, "../../etc/passwd") == nil)
        }
    }

    @Test("the catalog lists nested repository names sorted, and nothing else")
    func catalog() async throws {
        try await withStorage { storage in
            #expect(try await storage.catalog() == [])
            for name in ["team/x/y", "a/b", "a", "zeta"] {
                try await Self.put(storage, repo(name), "latest", try await Self.imageManifest(storage, repo(name)))
            }
            try await pushBlob(storage, repo("blobs-only"), [1, 2, 3])
            #expect(try await storage.catalog() == ["a", "a/b", "blobs-only", "team/x/y", "zeta"])
        }
    }

    @Test("referrers are listed by subject, filtered by artifact type, and removed with the referrer")
    func referrers() async throws {
        try await withStorage { storage in
            let subjectBody = try await Self.imageManifest(storage, foo, seed: 1)
            let subject = try await Self.put(storage, foo, "latest", subjectBody)
            let subjectField = Self.subjectField(subject, size: subjectBody.count)
            let signature = try await Self.put(storage, foo, "sig", try await Self.imageManifest(
                storage, foo, seed: 2, extra: "\"artifactType\":\"application/x.sig\"," + subjectField))
            let sbom = try await Self.put(storage, foo, "sbom", try await Self.imageManifest(
                storage, foo, seed: 3, configType: "application/x.sbom", extra: subjectField + ",\"annotations\":{\"k\":\"v\"}"))

            let all = try await storage.referrers(foo, subject: subject, artifactType: nil)
            #expect(Set(all.map(\.digest)) == [signature.description, sbom.description])
            #expect(all.allSatisfy { $0.mediaType == MediaType.ociManifest })
            let sbomDescriptor = try #require(all.first { $0.digest == sbom.description })
            #expect(sbomDescriptor.artifactType == "application/x.sbom")
            #expect(sbomDescriptor.annotations == ["k": "v"])
            #expect(sbomDescriptor.size == Int64(try await storage.manifest(foo, .digest(sbom)).body.count))

            #expect(try await storage.referrers(foo, subject: subject, artifactType: "application/x.sig").map(\.digest) == [signature.description])
            #expect(try await storage.referrers(foo, subject: subject, artifactType: "application/x.none").isEmpty)
            #expect(try await storage.referrers(repo("bar"), subject: subject, artifactType: nil).isEmpty)

            try await storage.deleteManifest(foo, .digest(signature))
            #expect(try await storage.referrers(foo, subject: subject, artifactType: nil).map(\.digest) == [sbom.description])
        }
    }

    @Test("a referrer may be pushed before its subject exists")
    func referrerBeforeSubject() async throws {
        try await withStorage { storage in
            let absent = Digest.of(Array("not pushed yet".utf8))
            let referrer = try await Self.put(storage, foo, "sig", try await Self.imageManifest(
                storage, foo, extra: "\"artifactType\":\"application/x.sig\"," + Self.subjectField(absent, size: 10)))
            #expect(try await storage.referrers(foo, subject: absent, artifactType: nil).map(\.digest) == [referrer.description])
        }
    }
}
