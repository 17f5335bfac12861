import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

/// skopeo and podman print only an error's `message`: it must carry the reason.
@Suite("Denials clients can read, and idempotent re-pushes")
struct ClientErrorMessageTests {
    static let setup = RegistrySetup(
        users: [("ci", "ci-secret")],
        accessControl: #"{"repositories":{"apps/**":{"policies":[{"users":["ci"],"actions":["read","create"]}]}}}"#)
    static let ci = basicAuthorization("ci", "ci-secret")

    static func message(_ response: TestResponse) -> String? {
        ((response.json?["errors"] as? [[String: Any]])?.first)?["message"] as? String
    }

    static func detail(_ response: TestResponse) -> String? {
        ((response.json?["errors"] as? [[String: Any]])?.first)?["detail"] as? String
    }

    @Test("moving a tag without update rights names the tag, the user, the missing right and the repository")
    func tagUpdateMessage() async throws {
        try await withRegistry(Self.setup) { client in
            let first = TestImage(seed: "first"), second = TestImage(seed: "second")
            try await client.pushImage("apps/web", "v1", first, headers: Self.ci)
            try await client.pushImage("apps/web", "v2", second, headers: Self.ci)
            try await client.putManifest("apps/web", "v1", second.manifest, headers: Self.ci).withResponse { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
                #expect(Self.message(response) == "tag v1 exists and user ci may create but not update apps/web")
                #expect(Self.detail(response) == "update on apps/web is not granted")
            }
            try await client.execute(uri: "/v2/apps/web/manifests/v1", method: .get, headers: Self.ci) { response in
                #expect(response.bytes == first.manifest)
            }
        }
    }

    @Test("re-pushing the identical manifest to an existing tag without update rights is accepted as a no-op")
    func identicalRepush() async throws {
        try await withRegistry(Self.setup) { client in
            let image = TestImage(seed: "same")
            try await client.pushImage("apps/web", "v1", image, headers: Self.ci)
            try await client.putManifest("apps/web", "v1", image.manifest, headers: Self.ci).withResponse { response in
                #expect(response.status == .created)
                #expect(response.header("Docker-Content-Digest") == image.manifestDigest.description)
            }
        }
    }

    @Test("other denials say which user may not do what on which repository")
    func genericDenialMessage() async throws {
        try await withRegistry(Self.setup) { client in
            let image = TestImage(seed: "x")
            try await client.pushImage("apps/web", "v1", image, headers: Self.ci)
            try await client.execute(uri: "/v2/apps/web/manifests/\(image.manifestDigest)", method: .delete, headers: Self.ci) { response in
                #expect(response.status == .forbidden)
                #expect(Self.message(response) == "user ci may not delete apps/web")
                #expect(Self.detail(response) == "delete on apps/web is not granted")
            }
        }
    }
}
