import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryAuth
import RegistryAuthCore
import RegistryCore
@testable import RegistryHTTP
import RegistryMetadata
import Testing

/// Stands in for a verified bearer JWT (or a client certificate): `Authorization: Bearer workload` is `ci-bot`.
struct WorkloadStandIn: Authenticator {
    let method: Identity.Method
    /// It reads the Authorization header (a bearer token stand-in).
    var credentialSource: CredentialSource { .authorizationHeader }

    func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard request.authorizationHeader == "Bearer workload" else { return nil }
        return Identity(username: "ci-bot", groups: ["devs"], method: method)
    }
}

@Suite("Who may mint API keys, and keys of owners who are gone")
struct APIKeyOwnershipTests {
    static let workload: HTTPFields = [.authorization: "Bearer workload"]

    @Test("A bearer or client-certificate identity cannot create an API key (403 with the reason) but may list keys",
          arguments: [Identity.Method.bearer, .mtls])
    func workloadsCannotMintKeys(_ method: Identity.Method) async throws {
        let setup = AccountRegistrySetup(extraAuthenticators: [WorkloadStandIn(method: method)])
        try await withAccountRegistry(setup) { client, fixture in
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: Self.workload + jsonContent,
                                     body: buffer(#"{"label":"forever"}"#)) { response in
                #expect(response.status == .forbidden)
                let message = (response.json?["errors"] as? [[String: Any]])?.first?["message"] as? String
                #expect(message?.contains("only an interactive sign-in") == true)
            }
            #expect(try fixture.keys.list(owner: "ci-bot").isEmpty)
            try await client.execute(uri: "/zot/auth/apikey", method: .get, headers: Self.workload) { response in
                #expect(response.status == .ok)
            }
            #expect(try fixture.auditText().contains("may not create API keys"))
        }
    }

    @Test("htpasswd users and browser sessions still create keys, and the key records how its owner signed in")
    func interactiveIdentitiesMintKeys() async throws {
        try await withAccountRegistry { client, fixture in
            _ = try await client.createAPIKey(as: "alice")
            #expect(try fixture.keys.list(owner: "alice").map(\.ownerSource) == ["htpasswd"])
        }
    }

    @Test("An API key stops working once its owner is removed from the htpasswd file")
    func removedHtpasswdOwnerLosesKey() async throws {
        try await withAccountRegistry(AccountRegistrySetup(checksKeyOwners: true)) { client, fixture in
            let key = try await client.createAPIKey(as: "bob")
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("bob", key.secret)) { response in
                #expect(response.status == .ok)
            }
            try writeHtpasswd(accountTestUsers.filter { $0.name != "bob" } + [("zed", "zed-secret-padding")], to: fixture.htpasswdPath)
            try await Task.sleep(for: .milliseconds(1100))
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("bob", key.secret)) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(try fixture.auditText().contains("invalid-credentials"))
        }
    }
}
