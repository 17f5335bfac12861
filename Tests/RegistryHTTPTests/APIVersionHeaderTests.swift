import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

/// `Docker-Distribution-API-Version` is on every response, errors of every kind included, and every 401 carries
/// the challenge for `http.realm`.
@Suite("API version header and challenges")
struct APIVersionHeaderTests {
    static let setup = RegistrySetup(users: [("alice", "pw")], accessControl: """
    {"repositories": {"**": {"policies": [{"users": ["alice"], "actions": ["read"]}]}}}
    """)

    @Test("Success, 401, 403, 404, invalid names and unknown routes all carry the API version header")
    func everyResponseCarriesTheHeader() async throws {
        try await withRegistry(Self.setup) { client in
            let alice = basicAuthorization("alice", "pw")
            let responses: [(String, HTTPRequest.Method, HTTPFields)] = [
                ("/v2/", .get, alice),
                ("/v2/", .get, [:]),
                ("/v2/", .get, basicAuthorization("alice", "wrong")),
                ("/v2/app/blobs/uploads/", .post, alice),
                ("/v2/app/manifests/v1", .get, alice),
                ("/v2/UPPER/manifests/v1", .get, alice),
                ("/v2/app/blobs/sha256:zz", .get, alice),
                ("/not-a-route", .get, alice),
            ]
            for (path, method, headers) in responses {
                let response = try await client.execute(uri: path, method: method, headers: headers)
                #expect(response.header("Docker-Distribution-API-Version") == "registry/2.0", "\(method) \(path) → \(response.status)")
                if response.status == .unauthorized {
                    #expect(response.header("WWW-Authenticate") == "Basic realm=\"zot-authz-test\"", "\(method) \(path)")
                }
            }
        }
    }
}
