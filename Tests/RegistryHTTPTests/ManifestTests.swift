import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("Manifests")
struct ManifestTests {
    @Test("PUT by tag is 201 with Location and Docker-Content-Digest of the exact bytes")
    func putByTag() async throws {
        try await withRegistry { client in
            let image = TestImage(seed: "put")
            try await client.pushBlob("app", image.config)
            try await client.pushBlob("app", image.layer)
            try await client.putManifest("app", "v1", image.manifest).withResponse { response in
                #expect(response.status == .created)
                #expect(response.header("Location") == "/v2/app/manifests/\(image.manifestDigest)")
                #expect(response.header("Docker-Content-Digest") == image.manifestDigest.description)
            }
        }
    }

    @Test("GET and HEAD by tag and by digest return the media type, the digest and identical bytes",
          arguments: ["v1", TestImage(seed: "get").manifestDigest.description])
    func getAndHead(_ reference: String) async throws {
        try await withRegistry { client in
            let image = TestImage(seed: "get")
            try await client.pushImage("lib/app", "v1", image)
            try await client.execute(uri: "/v2/lib/app/manifests/\(reference)", method: .get,
                                     headers: [.accept: MediaType.ociManifest]) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Type") == MediaType.ociManifest)
                #expect(response.header("Docker-Content-Digest") == image.manifestDigest.description)
                #expect(response.header("Content-Length") == String(image.manifest.count))
                #expect(response.bytes == image.manifest)
            }
            try await client.execute(uri: "/v2/lib/app/manifests/\(reference)", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Type") == MediaType.ociManifest)
                #expect(response.header("Docker-Content-Digest") == image.manifestDigest.description)
                #expect(response.header("Content-Length") == String(image.manifest.count))
                #expect(response.bytes.isEmpty)
            }
        }
    }

    @Test("PUT by digest is 201 when the digest matches and 400 DIGEST_INVALID when it does not")
    func putByDigest() async throws {
        try await withRegistry { client in
            let image = TestImage(seed: "digest")
            try await client.pushBlob("app", image.config)
            try await client.pushBlob("app", image.layer)
            try await client.putManifest("app", image.manifestDigest.description, image.manifest).withResponse { response in
                #expect(response.status == .created)
                #expect(response.header("Docker-Content-Digest") == image.manifestDigest.description)
            }
            let other = Digest.of(Array("other".utf8))
            try await client.putManifest("app", other.description, image.manifest).withResponse { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["DIGEST_INVALID"])
            }
        }
    }

    @Test("A body that is not a valid manifest is 400 MANIFEST_INVALID",
          arguments: ["{not json", "[]", "{\"schemaVersion\":1}", "{\"schemaVersion\":2,\"config\":{}}", ""])
    func invalidManifest(_ body: String) async throws {
        try await withRegistry { client in
            try await client.putManifest("app", "v1", Array(body.utf8)).withResponse { response in
                #expect(response.status == .badRequest, "\(body)")
                #expect(ociErrorCodes(response) == ["MANIFEST_INVALID"], "\(body): \(response.text)")
            }
        }
    }

    @Test("A manifest whose mediaType disagrees with Content-Type is 400 MANIFEST_INVALID")
    func mediaTypeMismatch() async throws {
        try await withRegistry { client in
            let image = TestImage(seed: "mismatch")
            try await client.pushBlob("app", image.config)
            try await client.pushBlob("app", image.layer)
            try await client.putManifest("app", "v1", image.manifest, mediaType: MediaType.dockerManifest).withResponse { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["MANIFEST_INVALID"])
            }
        }
    }

    @Test("A manifest referencing a blob the repository lacks is 400 MANIFEST_BLOB_UNKNOWN")
    func missingBlob() async throws {
        try await withRegistry { client in
            let image = TestImage(seed: "missing")
            try await client.pushBlob("app", image.config)
            try await client.putManifest("app", "v1", image.manifest).withResponse { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["MANIFEST_BLOB_UNKNOWN"])
            }
            try await client.execute(uri: "/v2/app/manifests/v1", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("An unknown tag or digest is 404 MANIFEST_UNKNOWN")
    func unknownManifest() async throws {
        try await withRegistry { client in
            try await client.pushImage("app", "v1", TestImage(seed: "known"))
            for reference in ["nope", Digest.of(Array("x".utf8)).description] {
                try await client.execute(uri: "/v2/app/manifests/\(reference)", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(ociErrorCodes(response) == ["MANIFEST_UNKNOWN"])
                }
            }
        }
    }

    @Test("DELETE by digest is 202, after which the digest and its tag are 404 MANIFEST_UNKNOWN")
    func deleteByDigest() async throws {
        try await withRegistry { client in
            let image = TestImage(seed: "delete")
            try await client.pushImage("app", "v1", image)
            try await client.execute(uri: "/v2/app/manifests/\(image.manifestDigest)", method: .delete) { response in
                #expect(response.status == .accepted)
            }
            for reference in [image.manifestDigest.description, "v1"] {
                try await client.execute(uri: "/v2/app/manifests/\(reference)", method: .get) { response in
                    #expect(response.status == .notFound, "\(reference)")
                    #expect(ociErrorCodes(response) == ["MANIFEST_UNKNOWN"])
                }
            }
            try await client.execute(uri: "/v2/app/manifests/\(image.manifestDigest)", method: .delete) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["MANIFEST_UNKNOWN"])
            }
        }
    }

    @Test("An image index referencing pushed manifests is accepted and served with the index media type")
    func imageIndex() async throws {
        try await withRegistry { client in
            let amd64 = TestImage(seed: "amd64"), arm64 = TestImage(seed: "arm64")
            try await client.pushImage("multi", amd64.manifestDigest.description, amd64)
            try await client.pushImage("multi", arm64.manifestDigest.description, arm64)
            let index = Array("""
            {"schemaVersion":2,"mediaType":"\(MediaType.ociIndex)","manifests":[\
            {"mediaType":"\(MediaType.ociManifest)","digest":"\(amd64.manifestDigest)","size":\(amd64.manifest.count),"platform":{"architecture":"amd64","os":"linux"}},\
            {"mediaType":"\(MediaType.ociManifest)","digest":"\(arm64.manifestDigest)","size":\(arm64.manifest.count),"platform":{"architecture":"arm64","os":"linux"}}]}
            """.utf8)
            try await client.putManifest("multi", "latest", index, mediaType: MediaType.ociIndex).withResponse { response in
                #expect(response.status == .created)
                #expect(response.header("Docker-Content-Digest") == Digest.of(index).description)
            }
            try await client.execute(uri: "/v2/multi/manifests/latest", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Type") == MediaType.ociIndex)
                #expect(response.bytes == index)
            }
        }
    }

    @Test("An image index referencing a manifest the repository lacks is 400 MANIFEST_BLOB_UNKNOWN")
    func indexWithMissingManifest() async throws {
        try await withRegistry { client in
            let absent = TestImage(seed: "absent")
            let index = Array("""
            {"schemaVersion":2,"mediaType":"\(MediaType.ociIndex)","manifests":[\
            {"mediaType":"\(MediaType.ociManifest)","digest":"\(absent.manifestDigest)","size":\(absent.manifest.count)}]}
            """.utf8)
            try await client.putManifest("multi", "latest", index, mediaType: MediaType.ociIndex).withResponse { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["MANIFEST_BLOB_UNKNOWN"])
            }
        }
    }

    @Test("PUT of a manifest with a subject answers OCI-Subject with the subject digest")
    func subjectHeader() async throws {
        try await withRegistry { client in
            let base = TestImage(seed: "base")
            try await client.pushImage("app", "v1", base)
            let signature = TestImage(seed: "sig", subject: (base.manifestDigest, base.manifest.count), artifactType: "application/example.signature")
            try await client.pushBlob("app", signature.config)
            try await client.pushBlob("app", signature.layer)
            try await client.putManifest("app", signature.manifestDigest.description, signature.manifest).withResponse { response in
                #expect(response.status == .created)
                #expect(response.header("OCI-Subject") == base.manifestDigest.description)
            }
        }
    }
}

extension TestResponse {
    /// Runs assertions on an already received response (keeps the call sites shaped like `execute`).
    func withResponse(_ body: (TestResponse) throws -> Void) rethrows { try body(self) }
}
