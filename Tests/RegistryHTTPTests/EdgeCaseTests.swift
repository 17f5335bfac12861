import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("Edge cases and error bodies")
struct EdgeCaseTests {
    @Test("Every error answer is JSON of the shape {\"errors\":[{\"code\",\"message\"}]}",
          arguments: [
              ("/v2/app/manifests/v1", HTTPRequest.Method.get, 404),
              ("/v2/app/blobs/sha256:" + String(repeating: "a", count: 64), .get, 404),
              ("/v2/app/tags/list", .get, 404),
              ("/v2/app/blobs/uploads/ffffffffffffffffffffffffffffffff", .get, 404),
              ("/v2/app/blobs/uploads/../../../etc", .patch, 404),
              ("/v2/app/blobs/uploads/not-an-id", .delete, 404),
              ("/v2/app/manifests/v1", .patch, 405),
              ("/v2/_catalog", .delete, 405),
              ("/v2/app/no-such-endpoint", .get, 404),
              ("/v2/App/manifests/v1", .get, 400),
              // OCI conformance v1.1.1: a GET of a malformed tag is 404 MANIFEST_UNKNOWN; a PUT is 400.
              ("/v2/app/manifests/-bad-tag", .get, 404),
              ("/v2/app/manifests/.INVALID_MANIFEST_NAME", .get, 404),
              ("/v2/app/manifests/-bad-tag", .put, 400),
          ])
    func errorBodiesParse(_ uri: String, _ method: HTTPRequest.Method, _ status: Int) async throws {
        try await withRegistry { client in
            try await client.execute(uri: uri, method: method) { response in
                #expect(response.status.code == status, "\(method) \(uri): \(response.text)")
                #expect(ociErrorCodes(response) != nil, "\(method) \(uri): \(response.text)")
                #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
                #expect(response.header("Docker-Distribution-API-Version") == "registry/2.0")
            }
        }
    }

    @Test("GET /v2 without the trailing slash and HEAD /v2/ are 200")
    func baseVariants() async throws {
        try await withRegistry { client in
            try await client.execute(uri: "/v2", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/", method: .head) { #expect($0.status == .ok) }
        }
    }

    @Test("A zero-byte blob uploads and reads back with Content-Length 0")
    func emptyBlob() async throws {
        try await withRegistry { client in
            let digest = Digest.of([UInt8]())
            #expect(try await client.pushBlob("app", []).status == .created)
            try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Length") == "0")
                #expect(response.bytes.isEmpty)
            }
        }
    }

    @Test("The closing PUT may carry the last chunk with its Content-Range")
    func finalChunkOnPut() async throws {
        try await withRegistry { client in
            let content = Array("first half|second half".utf8)
            let location = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            try await client.execute(uri: location, method: .patch, headers: [.init("Content-Range")!: "0-10"],
                                     body: buffer(Array(content[0...10])))
            try await client.execute(uri: location + "?digest=\(Digest.of(content))", method: .put,
                                     headers: [.init("Content-Range")!: "11-\(content.count - 1)"],
                                     body: buffer(Array(content[11...]))) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/v2/app/blobs/\(Digest.of(content))", method: .get) { response in
                #expect(response.bytes == content)
            }
        }
    }

    @Test("The same blob pushed to two repositories is stored for both")
    func sameBlobTwice() async throws {
        try await withRegistry { client in
            let content = Array("shared layer".utf8)
            #expect(try await client.pushBlob("one", content).status == .created)
            #expect(try await client.pushBlob("two", content).status == .created)
            try await client.execute(uri: "/v2/one/blobs/\(Digest.of(content))", method: .delete) { #expect($0.status == .accepted) }
            try await client.execute(uri: "/v2/two/blobs/\(Digest.of(content))", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.bytes == content)
            }
        }
    }

    @Test("DELETE by tag removes the tag (202) and keeps the manifest reachable by digest")
    func deleteByTag() async throws {
        try await withRegistry { client in
            let image = TestImage(seed: "tagged")
            try await client.pushImage("app", "v1", image)
            #expect(try await client.putManifest("app", "v2", image.manifest).status == .created)
            try await client.execute(uri: "/v2/app/manifests/v1", method: .delete) { #expect($0.status == .accepted) }
            try await client.execute(uri: "/v2/app/manifests/v1", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["MANIFEST_UNKNOWN"])
            }
            try await client.execute(uri: "/v2/app/manifests/\(image.manifestDigest)", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/app/tags/list", method: .get) { response in
                #expect(response.json?["tags"] as? [String] == ["v2"])
            }
        }
    }

    @Test("Referrer descriptors carry the referring manifest's annotations")
    func referrerAnnotations() async throws {
        try await withRegistry { client in
            let base = TestImage(seed: "base")
            try await client.pushImage("app", "v1", base)
            let signature = TestImage(seed: "sig", subject: (base.manifestDigest, base.manifest.count), artifactType: "application/example.signature")
            var text = String(decoding: signature.manifest, as: UTF8.self)
            text.removeLast()
            text += ",\"annotations\":{\"org.example.signer\":\"ci\"}}"
            let manifest = Array(text.utf8)
            try await client.pushBlob("app", signature.config)
            try await client.pushBlob("app", signature.layer)
            #expect(try await client.putManifest("app", Digest.of(manifest).description, manifest).status == .created)
            try await client.execute(uri: "/v2/app/referrers/\(base.manifestDigest)", method: .get) { response in
                let manifests = try #require(response.json?["manifests"] as? [[String: Any]])
                #expect(manifests.count == 1)
                #expect((manifests.first?["annotations"] as? [String: String]) == ["org.example.signer": "ci"])
            }
        }
    }

    @Test("Referrers are per repository: a referrer pushed elsewhere does not show")
    func referrersArePerRepository() async throws {
        try await withRegistry { client in
            let base = TestImage(seed: "base")
            try await client.pushImage("app", "v1", base)
            try await client.pushImage("other", "v1", base)
            let signature = TestImage(seed: "sig", subject: (base.manifestDigest, base.manifest.count), artifactType: "application/example.signature")
            try await client.pushImage("other", signature.manifestDigest.description, signature)
            try await client.execute(uri: "/v2/app/referrers/\(base.manifestDigest)", method: .get) { response in
                #expect((response.json?["manifests"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/v2/other/referrers/\(base.manifestDigest)", method: .get) { response in
                #expect((response.json?["manifests"] as? [Any])?.count == 1)
            }
        }
    }

    @Test("A manifest PUT to an existing tag moves the tag to the new digest")
    func retagMovesTag() async throws {
        try await withRegistry { client in
            let first = TestImage(seed: "first"), second = TestImage(seed: "second")
            try await client.pushImage("app", "latest", first)
            try await client.pushImage("app", "latest", second)
            try await client.execute(uri: "/v2/app/manifests/latest", method: .get) { response in
                #expect(response.header("Docker-Content-Digest") == second.manifestDigest.description)
            }
            try await client.execute(uri: "/v2/app/manifests/\(first.manifestDigest)", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("A manifest larger than the 4 MiB limit is 413 with an OCI error body")
    func oversizedManifest() async throws {
        try await withRegistry { client in
            let padding = String(repeating: "x", count: 4 * 1024 * 1024)
            let body = Array("{\"schemaVersion\":2,\"annotations\":{\"pad\":\"\(padding)\"}}".utf8)
            try await client.putManifest("app", "big", body).withResponse { response in
                #expect(response.status == .contentTooLarge)
                #expect(ociErrorCodes(response) != nil)
            }
        }
    }
}
