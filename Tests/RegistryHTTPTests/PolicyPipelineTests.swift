import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("accessControl through the whole pipeline")
struct PolicyPipelineTests {
    static let setup = RegistrySetup(
        users: [("ci", "ci-secret"), ("admin", "admin-secret"), ("alice", "alice-secret")],
        accessControl: """
        {"repositories":{\
        "**":{"anonymousPolicy":["read"]},\
        "ci/**":{"anonymousPolicy":["read"],"policies":[{"users":["ci"],"actions":["create"]}]},\
        "team-a/**":{"policies":[{"users":["alice"],"actions":["read"]}]}},\
        "adminPolicy":{"users":["admin"],"actions":["read","create","update","delete"]}}
        """)
    static let ci = basicAuthorization("ci", "ci-secret")
    static let admin = basicAuthorization("admin", "admin-secret")
    static let alice = basicAuthorization("alice", "alice-secret")

    @Test("Anonymous reads are allowed by anonymousPolicy")
    func anonymousRead() async throws {
        try await withRegistry(Self.setup) { client in
            let image = TestImage(seed: "public")
            try await client.pushImage("lib/app", "v1", image, headers: Self.admin)
            try await client.execute(uri: "/v2/lib/app/manifests/v1", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.bytes == image.manifest)
            }
            try await client.execute(uri: "/v2/lib/app/tags/list", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("Anonymous pushes are 401 with a Basic challenge", arguments: [
        ("/v2/lib/app/blobs/uploads/", HTTPRequest.Method.post),
        ("/v2/ci/app/blobs/uploads/", HTTPRequest.Method.post),
        ("/v2/lib/app/manifests/v1", HTTPRequest.Method.put),
    ])
    func anonymousPushIsChallenged(_ uri: String, _ method: HTTPRequest.Method) async throws {
        try await withRegistry(Self.setup) { client in
            try await client.execute(uri: uri, method: method, headers: [.contentType: MediaType.ociManifest],
                                     body: buffer(TestImage(seed: "x").manifest)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") == "Basic realm=\"zot-authz-test\"")
                #expect(ociErrorCodes(response) == ["UNAUTHORIZED"])
            }
        }
    }

    @Test("A create-only user pushes a new tag (201) but may not move it or delete (403 DENIED)")
    func createOnlyUser() async throws {
        try await withRegistry(Self.setup) { client in
            let first = TestImage(seed: "first"), second = TestImage(seed: "second")
            try await client.pushImage("ci/app", "v1", first, headers: Self.ci)
            for blob in [second.config, second.layer] {
                #expect(try await client.pushBlob("ci/app", blob, headers: Self.ci).status == .created)
            }
            try await client.putManifest("ci/app", "v1", second.manifest, headers: Self.ci).withResponse { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
            try await client.putManifest("ci/app", "v2", second.manifest, headers: Self.ci).withResponse { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/v2/ci/app/manifests/\(first.manifestDigest)", method: .delete, headers: Self.ci) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
            try await client.execute(uri: "/v2/ci/app/blobs/\(first.layerDigest)", method: .delete, headers: Self.ci) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
            try await client.execute(uri: "/v2/ci/app/manifests/v1", method: .get) { response in
                #expect(response.bytes == first.manifest)
            }
        }
    }

    @Test("A create-only user may not push outside the repositories granted to it")
    func createOnlyUserOutsideGrant() async throws {
        try await withRegistry(Self.setup) { client in
            try await client.execute(uri: "/v2/lib/app/blobs/uploads/", method: .post, headers: Self.ci) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
        }
    }

    @Test("The admin may move tags and delete what others pushed")
    func adminDeletes() async throws {
        try await withRegistry(Self.setup) { client in
            let first = TestImage(seed: "first"), second = TestImage(seed: "second")
            try await client.pushImage("ci/app", "v1", first, headers: Self.ci)
            try await client.pushImage("ci/app", "v1", second, headers: Self.admin)
            try await client.execute(uri: "/v2/ci/app/manifests/\(second.manifestDigest)", method: .delete, headers: Self.admin) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/v2/ci/app/manifests/v1", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["MANIFEST_UNKNOWN"])
            }
        }
    }

    @Test("A mount from a repository the caller cannot read is denied, not silently performed")
    func mountNeedsReadOnSource() async throws {
        try await withRegistry(Self.setup) { client in
            let secret = Array("team-a secret layer".utf8)
            #expect(try await client.pushBlob("team-a/app", secret, headers: Self.admin).status == .created)
            try await client.execute(uri: "/v2/ci/app/blobs/uploads/?mount=\(Digest.of(secret))&from=team-a/app", method: .post,
                                     headers: Self.ci) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
            // Without `from`, the automatic mount must not pick the unreadable repository either.
            try await client.execute(uri: "/v2/ci/app/blobs/uploads/?mount=\(Digest.of(secret))", method: .post, headers: Self.ci) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/v2/ci/app/blobs/\(Digest.of(secret))", method: .head) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("The catalog shows each caller only the repositories it can read")
    func catalogIsFiltered() async throws {
        try await withRegistry(Self.setup) { client in
            for repository in ["lib/app", "team-a/one", "team-a/two", "ci/app"] {
                try await client.pushImage(repository, "v1", TestImage(seed: repository), headers: Self.admin)
            }
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: Self.alice) { response in
                #expect(response.status == .ok)
                #expect(response.json?["repositories"] as? [String] == ["team-a/one", "team-a/two"])
            }
            try await client.execute(uri: "/v2/_catalog", method: .get) { response in
                #expect(response.json?["repositories"] as? [String] == ["ci/app", "lib/app"])
            }
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: Self.admin) { response in
                #expect(response.json?["repositories"] as? [String] == ["ci/app", "lib/app", "team-a/one", "team-a/two"])
            }
            try await client.execute(uri: "/v2/team-a/one/manifests/v1", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v2/lib/app/manifests/v1", method: .get, headers: Self.alice) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
        }
    }

    @Test("A wrong password is 401 even on a repository anonymous callers may read")
    func wrongPasswordIsNotDowngradedToAnonymous() async throws {
        try await withRegistry(Self.setup) { client in
            try await client.pushImage("lib/app", "v1", TestImage(seed: "x"), headers: Self.admin)
            try await client.execute(uri: "/v2/lib/app/manifests/v1", method: .get, headers: basicAuthorization("ci", "nope")) { response in
                #expect(response.status == .unauthorized)
                #expect(ociErrorCodes(response) == ["UNAUTHORIZED"])
            }
        }
    }
}
