import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("GET /v2/ and authentication")
struct BaseEndpointTests {
    static let users: RegistrySetup = RegistrySetup(users: [("alice", "alice-secret")])

    @Test("GET /v2/ on an open registry is 200 with the API version header")
    func openBaseIs200() async throws {
        try await withRegistry { client in
            try await client.execute(uri: "/v2/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("Docker-Distribution-API-Version") == "registry/2.0")
            }
        }
    }

    @Test("GET /v2/ without credentials is 401 with a Basic challenge when htpasswd is configured")
    func anonymousBaseIsChallenged() async throws {
        try await withRegistry(Self.users) { client in
            try await client.execute(uri: "/v2/", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") == "Basic realm=\"zot-authz-test\"")
                #expect(response.header("Docker-Distribution-API-Version") == "registry/2.0")
                #expect(ociErrorCodes(response) == ["UNAUTHORIZED"])
            }
        }
    }

    @Test("GET /v2/ with the right Basic credentials is 200")
    func rightCredentialsAre200() async throws {
        try await withRegistry(Self.users) { client in
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("alice", "alice-secret")) { response in
                #expect(response.status == .ok)
                #expect(response.header("Docker-Distribution-API-Version") == "registry/2.0")
            }
        }
    }

    @Test("Wrong password, unknown user and malformed credentials are 401 with an OCI error body and a challenge",
          arguments: [
              basicAuthorization("alice", "wrong"),
              basicAuthorization("mallory", "alice-secret"),
              basicAuthorization("alice", ""),
              [.authorization: "Basic not-base64!!"] as HTTPFields,
              [.authorization: "Bearer abc.def.ghi"] as HTTPFields,
          ])
    func badCredentialsAre401(_ headers: HTTPFields) async throws {
        try await withRegistry(Self.users) { client in
            try await client.execute(uri: "/v2/", method: .get, headers: headers) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate")?.hasPrefix("Basic realm=") == true)
                #expect(ociErrorCodes(response) == ["UNAUTHORIZED"])
            }
        }
    }

    @Test("The Basic scheme name is matched case-insensitively")
    func lowercaseSchemeIsAccepted() async throws {
        try await withRegistry(Self.users) { client in
            try await client.execute(uri: "/v2/", method: .get, headers: [.authorization: "basic " + "alice:alice-secret".base64]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("More than one Authorization header is 401 even when one of them is right")
    func twoAuthorizationHeadersAre401() async throws {
        try await withRegistry(Self.users) { client in
            var headers = basicAuthorization("alice", "alice-secret")
            headers.append(HTTPField(name: .authorization, value: "Basic " + "alice:alice-secret".base64))
            try await client.execute(uri: "/v2/", method: .get, headers: headers) { response in
                #expect(response.status == .unauthorized)
                #expect(ociErrorCodes(response) == ["UNAUTHORIZED"])
            }
        }
    }

    @Test("With htpasswd and no accessControl, an authenticated user may push and anonymous may not pull")
    func authenticatedUsersHaveFullAccessWithoutAccessControl() async throws {
        try await withRegistry(Self.users) { client in
            let image = TestImage(seed: "base")
            try await client.pushImage("lib/app", "v1", image, headers: basicAuthorization("alice", "alice-secret"))
            try await client.execute(uri: "/v2/lib/app/manifests/v1", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") != nil)
            }
        }
    }
}

extension String {
    var base64: String { Data(utf8).base64EncodedString() }
}
