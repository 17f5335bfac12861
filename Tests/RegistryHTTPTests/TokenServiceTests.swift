import Foundation
import RegistryAuth
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RegistryConfig
import RegistryCore
import RegistryHTTP
import Testing
@testable import RegistryApp

@Suite("The built-in token service: anonymous and authenticated callers get tokens trimmed to policy")
struct TokenServiceTests {
    static let tokenRealm = "http://127.0.0.1:5000/auth/token"

    static func withTokenService(metrics: Bool = false,
                                 _ body: @escaping @Sendable (any TestClientProtocol, String) async throws -> Void) async throws {
        try await withTokenService(metrics: metrics) { client, root, _ in try await body(client, root) }
    }

    static func withTokenService(metrics: Bool = false, loginBudget: LoginFailureBudget? = nil,
                                 _ body: @escaping @Sendable (any TestClientProtocol, String, RegistryServerOptions) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let htpasswd = directory.path + "/htpasswd"
        try writeHtpasswd([("alice", "alice-secret")], to: htpasswd)
        let json = """
        {"storage": {"rootDirectory": \(JSONText.quote(directory.path + "/storage"))},
         "http": {"address": "127.0.0.1", "port": 5000, "realm": "zot-authz-test",
                  "auth": {"htpasswd": {"path": \(JSONText.quote(htpasswd))}, "tokenService": {"lifetime": "2m"}},
                  "accessControl": {"repositories": {
                      "public/**": {"anonymousPolicy": ["read"], "defaultPolicy": ["read"]},
                      "team/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update"]}]}}}},
         "log": {"level": "error"}\(metrics ? ", \"extensions\": {\"metrics\": {\"enable\": true}}" : "")}
        """
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var options = try RegistryService.options(from: try ConfigLoader.parse(json, format: .json), logger: logger)
        if let loginBudget { options.loginFailureBudget = loginBudget }
        let app = Application(router: RegistryServer.router(options), logger: logger)
        try await app.test(.router) { [options] client in try await body(client, directory.path, options) }
        withExtendedLifetime(directory) {}
    }

    static func claims(_ token: String) throws -> [String: Any] {
        var payload = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let data = try #require(Data(base64Encoded: payload))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func issue(_ client: any TestClientProtocol, scope: String?, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, token: String?, json: [String: Any]?) {
        var uri = "/auth/token?service=zot-authz-test"
        if let scope { uri += "&scope=" + (scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? scope) }
        return try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (response.status, response.json?["token"] as? String, response.json)
        }
    }

    @Test("The registry challenges with the token endpoint, and Basic on /v2/ keeps working")
    func challenge() async throws {
        try await Self.withTokenService { client, _ in
            try await client.execute(uri: "/v2/", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") == "Bearer realm=\"\(Self.tokenRealm)\",service=\"zot-authz-test\"")
            }
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("alice", "alice-secret")) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("An anonymous caller gets a token for a public read, never a 401, and it works on /v2/")
    func anonymousPublicRead() async throws {
        try await Self.withTokenService { client, _ in
            let issued = try await Self.issue(client, scope: "repository:public/app:pull")
            #expect(issued.status == .ok)
            let token = try #require(issued.token)
            #expect(issued.json?["access_token"] as? String == token)
            #expect(issued.json?["expires_in"] as? Int == 120)
            #expect(issued.json?["issued_at"] is String)
            let claims = try Self.claims(token)
            #expect(claims["sub"] as? String == "")
            #expect(claims["aud"] as? String == "zot-authz-test")
            #expect(claims["jti"] is String)
            #expect((claims["access"] as? [[String: Any]])?.first?["actions"] as? [String] == ["pull"])
            try await client.execute(uri: "/v2/", method: .get, headers: bearer(token)) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/v2/public/app/tags/list", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("Tokens follow a reloaded policy: what a new accessControl grants is granted by the next token")
    func tokensFollowReloadedPolicy() async throws {
        try await Self.withTokenService { client, _, options in
            let before = try #require(try await Self.issue(client, scope: "repository:team/app:pull").token)
            #expect((try Self.claims(before)["access"] as? [Any])?.isEmpty == true)
            let opened = try ConfigLoader.parse("""
                {"storage": {"rootDirectory": "/tmp"}, "http": {"address": "127.0.0.1", "port": 5000,
                 "auth": {"htpasswd": {"path": "/dev/null"}},
                 "accessControl": {"repositories": {"team/**": {"anonymousPolicy": ["read"]}}}}}
                """, format: .json)
            options.policy = try RegistryService.accessPolicy(opened)
            let after = try #require(try await Self.issue(client, scope: "repository:team/app:pull").token)
            #expect((try Self.claims(after)["access"] as? [[String: Any]])?.first?["actions"] as? [String] == ["pull"])
        }
    }

    @Test("An anonymous caller asking for a private repository gets a token granting nothing, which the registry refuses")
    func anonymousPrivate() async throws {
        try await Self.withTokenService { client, _ in
            let issued = try await Self.issue(client, scope: "repository:team/app:pull,push")
            #expect(issued.status == .ok)
            let token = try #require(issued.token)
            #expect((try Self.claims(token)["access"] as? [Any])?.isEmpty == true)
            try await client.execute(uri: "/v2/team/app/tags/list", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("A Basic user gets requested ∩ policy, and the token pushes where it should")
    func authenticatedGrant() async throws {
        try await Self.withTokenService { client, _ in
            let issued = try await Self.issue(client, scope: "repository:team/app:pull,push,delete", headers: basicAuthorization("alice", "alice-secret"))
            let token = try #require(issued.token)
            let claims = try Self.claims(token)
            #expect(claims["sub"] as? String == "alice")
            #expect((claims["access"] as? [[String: Any]])?.first?["actions"] as? [String] == ["pull", "push"])
            try await client.execute(uri: "/v2/team/app/blobs/uploads/", method: .post, headers: bearer(token)) { response in
                #expect(response.status == .accepted)
            }
        }
    }

    @Test("Wrong credentials at the token endpoint are 401 with a Basic challenge")
    func wrongCredentials() async throws {
        try await Self.withTokenService { client, _ in
            try await client.execute(uri: "/auth/token?service=zot-authz-test&scope=repository:public/app:pull", method: .get,
                                     headers: basicAuthorization("alice", "wrong")) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") == "Basic realm=\"zot-authz-test\"")
            }
        }
    }

    @Test("A malformed scope, another service or a token traded for a token are refused with an OCI error")
    func badRequests() async throws {
        try await Self.withTokenService { client, _ in
            try await client.execute(uri: "/auth/token?service=zot-authz-test&scope=nonsense", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["UNSUPPORTED"])
            }
            try await client.execute(uri: "/auth/token?service=elsewhere", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            let token = try #require(try await Self.issue(client, scope: nil).token)
            try await client.execute(uri: "/auth/token?service=zot-authz-test", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("Issued and refused tokens are counted by grant and caller method")
    func metrics() async throws {
        try await Self.withTokenService(metrics: true) { client, _, options in
            _ = try await Self.issue(client, scope: "repository:public/app:pull")
            _ = try await Self.issue(client, scope: nil, headers: basicAuthorization("alice", "alice-secret"))
            try await client.execute(uri: "/auth/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "grant_type=password&username=alice&password=wrong")) { _ in }
            let text = try #require(options.metrics?.metrics.exposition())
            #expect(text.contains(#"zot_authz_tokens_issued_total{grant="get",method="anonymous"} 1"#))
            #expect(text.contains(#"zot_authz_tokens_issued_total{grant="get",method="htpasswd"} 1"#))
            #expect(text.contains(#"zot_authz_tokens_refused_total{grant="password"} 1"#))
        }
    }

    @Test("The signing key is generated 0600 under the storage root and published as a JWKS")
    func keyAndJWKS() async throws {
        try await Self.withTokenService { client, root in
            let path = root + "/storage/token-service/signing-key.pem"
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            try await client.execute(uri: "/.well-known/jwks.json", method: .get) { response in
                #expect(response.status == .ok)
                let keys = response.json?["keys"] as? [[String: Any]]
                #expect(keys?.count == 1)
                #expect(keys?.first?["kty"] as? String == "EC")
                #expect(keys?.first?["d"] == nil)
            }
        }
    }
}
