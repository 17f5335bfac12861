import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RegistryConfig
import RegistryCore
@testable import RegistryApp
import RegistryHTTP
import Testing

@Suite("Account endpoints built from a Zot config (http.auth.apikey)")
struct AccountConfigTests {
    /// Runs `body` against a registry built by `RegistryService.options` from a config with `apikey: true`.
    static func withConfiguredRegistry(openid: String? = nil,
                                       _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let htpasswdPath = directory.path + "/htpasswd"
        try writeHtpasswd(accountTestUsers, to: htpasswdPath)
        let json = """
        {"storage":{"rootDirectory":\(JSONText.quote(directory.path + "/storage"))},\
        "http":{"address":"127.0.0.1","port":5000,"realm":"zot-authz-test",\
        "auth":{"htpasswd":{"path":\(JSONText.quote(htpasswdPath))},"apikey":true\(openid.map { ",\"openid\":" + $0 } ?? "")},\
        "accessControl":\(accountAccessControl)},\
        "log":{"level":"error"}}
        """
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let options = try RegistryService.options(from: try ConfigLoader.parse(json, format: .json), logger: logger)
        let app = Application(router: RegistryServer.router(options), logger: logger)
        try await app.test(.router) { client in try await body(client) }
        withExtendedLifetime(directory) {}
    }

    @Test("apikey: true serves the key API, keys authenticate after htpasswd, and adminPolicy admins may revoke all")
    func configuredKeys() async throws {
        try await Self.withConfiguredRegistry { client in
            let key = try await client.createAPIKey(as: "bob")
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: basicAuthorization("bob", key.secret)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/zot/auth/apikey?username=bob", method: .delete, headers: accountUser("alice")) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/zot/auth/apikey?username=bob", method: .delete, headers: accountUser("admin")) { response in
                #expect(response.status == .ok)
                #expect(response.json?["revoked"] as? Int == 1)
            }
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: basicAuthorization("bob", key.secret)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("Google and GitLab are offered with their public issuers; GitHub (no ID tokens) is not")
    func providerKinds() async throws {
        let openid = #"{"providers":{"google":{"clientid":"g"},"gitlab":{"clientid":"l"},"github":{"clientid":"h"}}}"#
        try await Self.withConfiguredRegistry(openid: openid) { client in
            try await client.execute(uri: "/auth/login", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("id=\"login-google\""))
                #expect(page.contains("id=\"login-gitlab\""))
                #expect(!page.contains("login-github"))
            }
            try await client.execute(uri: "/zot/auth/login?provider=github", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("Without openid the login and key pages are not served")
    func noPagesWithoutOpenID() async throws {
        try await Self.withConfiguredRegistry { client in
            for path in ["/auth/login", "/auth/apikeys", "/zot/auth/login"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
