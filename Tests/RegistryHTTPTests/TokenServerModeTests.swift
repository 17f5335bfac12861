import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RegistryConfig
import RegistryCore
import RegistryHTTP
import Testing
@testable import RegistryApp

/// Mints Docker-format tokens signed with a test P-256 key, as an external token server would.
struct TestTokenServer: Sendable {
    let key = P256.Signing.PrivateKey()
    var publicKeyPEM: String { key.publicKey.pemRepresentation }

    func token(sub: String, access: [(name: String, actions: [String])], aud: String = "registry.test", iss: String = "token-server",
               lifetime: Double = 300) throws -> String {
        let now = Date().timeIntervalSince1970
        let claims: [String: Any] = [
            "iss": iss, "sub": sub, "aud": aud, "exp": now + lifetime, "nbf": now - 5, "iat": now - 5, "jti": UUID().uuidString,
            "access": access.map { ["type": "repository", "name": $0.name, "actions": $0.actions] },
        ]
        let header = try JSONSerialization.data(withJSONObject: ["alg": "ES256", "typ": "JWT"])
        let payload = try JSONSerialization.data(withJSONObject: claims)
        let input = Self.base64URL(header) + "." + Self.base64URL(payload)
        let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + Self.base64URL(signature)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer " + token] }

@Suite("Zot's token-server mode: Bearer challenges with scope, tokens verified with bearer.cert and intersected with accessControl")
struct TokenServerModeTests {
    static let realm = "https://auth.example.test/token"

    static func withTokenRegistry(_ server: TestTokenServer,
                                  _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let certPath = directory.path + "/token-server.pem"
        try server.publicKeyPEM.write(toFile: certPath, atomically: true, encoding: .utf8)
        let json = """
        {"storage": {"rootDirectory": \(JSONText.quote(directory.path + "/storage"))},
         "http": {"address": "127.0.0.1", "port": 5000, "realm": "zot-authz-test",
                  "auth": {"bearer": {"realm": "\(realm)", "service": "registry.test", "issuer": "token-server",
                                      "cert": \(JSONText.quote(certPath))}},
                  "accessControl": {"repositories": {
                      "team/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update", "delete"]}],
                                  "anonymousPolicy": ["read"]},
                      "secret/**": {"policies": [{"users": ["bob"], "actions": ["read"]}]}}}},
         "log": {"level": "error"}}
        """
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let options = try RegistryService.options(from: try ConfigLoader.parse(json, format: .json), logger: logger)
        let app = Application(router: RegistryServer.router(options), logger: logger)
        try await app.test(.router) { client in try await body(client) }
        withExtendedLifetime(directory) {}
    }

    @Test("GET /v2/ without a token is challenged with realm and service and no scope")
    func baseChallenge() async throws {
        try await Self.withTokenRegistry(TestTokenServer()) { client in
            try await client.execute(uri: "/v2/", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") == "Bearer realm=\"\(Self.realm)\",service=\"registry.test\"")
            }
        }
    }

    @Test("A request naming a repository is challenged with the scope it needs")
    func scopedChallenge() async throws {
        try await Self.withTokenRegistry(TestTokenServer()) { client in
            try await client.execute(uri: "/v2/secret/x/tags/list", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate")
                    == "Bearer realm=\"\(Self.realm)\",service=\"registry.test\",scope=\"repository:secret/x:pull\"")
            }
            try await client.execute(uri: "/v2/secret/x/blobs/uploads/", method: .post) { response in
                #expect(response.header("WWW-Authenticate")?.hasSuffix("scope=\"repository:secret/x:pull,push\"") == true)
            }
        }
    }

    @Test("A push token reaches /v2/ and its repository but cannot delete there, and gets 403 naming the scope to ask for")
    func pushTokenCannotDelete() async throws {
        let server = TestTokenServer()
        let token = try server.token(sub: "alice", access: [("team/app", ["pull", "push"])])
        try await Self.withTokenRegistry(server) { client in
            try await client.execute(uri: "/v2/", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v2/team/app/blobs/uploads/", method: .post, headers: bearer(token)) { response in
                #expect(response.status == .accepted)
            }
            let digest = "sha256:" + String(repeating: "a", count: 64)
            try await client.execute(uri: "/v2/team/app/manifests/\(digest)", method: .delete, headers: bearer(token)) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
                #expect(response.header("WWW-Authenticate")?.hasSuffix("scope=\"repository:team/app:delete\",error=\"insufficient_scope\"") == true)
            }
            try await client.execute(uri: "/v2/team/other/tags/list", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .forbidden)
                #expect(response.header("WWW-Authenticate")?.contains("scope=\"repository:team/other:pull\"") == true)
            }
        }
    }

    @Test("A token naming a repository accessControl denies reaches nothing there")
    func tokenCannotWidenPolicy() async throws {
        let server = TestTokenServer()
        let token = try server.token(sub: "alice", access: [("secret/x", ["*"])])
        try await Self.withTokenRegistry(server) { client in
            try await client.execute(uri: "/v2/secret/x/tags/list", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
        }
    }

    @Test("Tokens from another key, for another service, from another issuer or expired are 401")
    func refusedTokens() async throws {
        let server = TestTokenServer()
        let tokens = [
            try TestTokenServer().token(sub: "alice", access: [("team/app", ["pull"])]),
            try server.token(sub: "alice", access: [("team/app", ["pull"])], aud: "other"),
            try server.token(sub: "alice", access: [("team/app", ["pull"])], iss: "elsewhere"),
            try server.token(sub: "alice", access: [("team/app", ["pull"])], lifetime: -120),
            "not.a.token",
        ]
        try await Self.withTokenRegistry(server) { client in
            for token in tokens {
                try await client.execute(uri: "/v2/team/app/tags/list", method: .get, headers: bearer(token)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer realm=") == true)
                }
            }
        }
    }

    @Test("An anonymous token passes /v2/ and gets only what anonymousPolicy grants")
    func anonymousToken() async throws {
        let server = TestTokenServer()
        let token = try server.token(sub: "", access: [("team/app", ["pull", "push"])])
        try await Self.withTokenRegistry(server) { client in
            try await client.execute(uri: "/v2/", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v2/team/app/tags/list", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v2/team/app/blobs/uploads/", method: .post, headers: bearer(token)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("A token that does not cover a request is a 403 with an insufficient_scope challenge, not a 401")
    func insufficientScopeChallenge() async throws {
        let server = TestTokenServer()
        let token = try server.token(sub: "alice", access: [])
        try await Self.withTokenRegistry(server) { client in
            try await client.execute(uri: "/v2/team/app/blobs/uploads/", method: .post, headers: bearer(token)) { response in
                #expect(response.status == .forbidden)
                #expect(response.header("WWW-Authenticate")
                    == "Bearer realm=\"\(Self.realm)\",service=\"registry.test\",scope=\"repository:team/app:pull,push\",error=\"insufficient_scope\"")
            }
        }
    }
}
