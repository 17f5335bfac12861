import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryHTTP
import Testing

/// `/livez`, `/readyz`, `/startupz`: answered without credentials even when everything else needs them, with no detail.
@Suite("Health probes")
struct HealthRoutesTests {
    @Test("The probes answer 200 to anonymous callers on a registry that challenges everyone else")
    func probesAreNotBehindAuth() async throws {
        let setup = RegistrySetup(users: [("alice", "pw")], accessControl: #"{"repositories": {"**": {"defaultPolicy": ["read"]}}}"#)
        try await withRegistry(setup) { client in
            #expect(try await client.execute(uri: "/v2/", method: .get).status == .unauthorized)
            for path in ["/livez", "/readyz", "/startupz"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.text == "ok\n")
            }
        }
    }

    @Test("/readyz is 200 on a usable storage root; a missing directory is not writable")
    func readinessFollowsStorage() async throws {
        try await withRegistry(.open) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
        }
        #expect(!HealthChecks.isWritableDirectory("/nonexistent/zot-authz"))
        #expect(HealthChecks.isWritableDirectory(NSTemporaryDirectory()))
    }
}
