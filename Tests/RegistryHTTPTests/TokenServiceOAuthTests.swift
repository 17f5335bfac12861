import Foundation
import RegistryAuth
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Token service: offline refresh tokens and POST /auth/token grants")
struct TokenServiceOAuthTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func post(_ client: any TestClientProtocol, _ fields: String) async throws -> (status: HTTPResponse.Status, json: [String: Any]?) {
        try await client.execute(uri: "/auth/token", method: .post, headers: form, body: ByteBuffer(string: fields)) { response in
            (response.status, response.json)
        }
    }

    @Test("offline_token=true returns a refresh token that later buys an access token for the same user")
    func offlineThenRefresh() async throws {
        try await TokenServiceTests.withTokenService { client, _ in
            let refresh = try await client.execute(uri: "/auth/token?service=zot-authz-test&offline_token=true&client_id=docker",
                                                   method: .get, headers: basicAuthorization("alice", "alice-secret")) { response in
                response.json?["refresh_token"] as? String
            }
            let secret = try #require(refresh)
            #expect(secret.hasPrefix("zrt_"))
            let answer = try await Self.post(client, "grant_type=refresh_token&service=zot-authz-test&client_id=docker"
                                                + "&scope=repository%3Ateam%2Fapp%3Apull%2Cpush&refresh_token=\(secret)")
            #expect(answer.status == .ok)
            let token = try #require(answer.json?["access_token"] as? String)
            let claims = try TokenServiceTests.claims(token)
            #expect(claims["sub"] as? String == "alice")
            #expect((claims["access"] as? [[String: Any]])?.first?["actions"] as? [String] == ["pull", "push"])
        }
    }

    @Test("Refresh tokens are listed without secrets and a revoked one no longer works")
    func listAndRevoke() async throws {
        try await TokenServiceTests.withTokenService { client, _ in
            let alice = basicAuthorization("alice", "alice-secret")
            let secret = try #require(try await client.execute(uri: "/auth/token?offline_token=true", method: .get, headers: alice) { response in
                response.json?["refresh_token"] as? String
            })
            let id = try await client.execute(uri: "/zot/auth/refreshtoken", method: .get, headers: alice) { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains(secret))
                return ((response.json?["refreshTokens"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            }
            try await client.execute(uri: "/zot/auth/refreshtoken?id=\(id)", method: .delete, headers: alice) { response in
                #expect(response.status == .ok)
            }
            #expect(try await Self.post(client, "grant_type=refresh_token&refresh_token=\(secret)").status == .unauthorized)
        }
    }

    @Test("grant_type=password authenticates like Basic: right credentials get a token, wrong ones 401")
    func passwordGrant() async throws {
        try await TokenServiceTests.withTokenService { client, _ in
            let good = try await Self.post(client, "grant_type=password&username=alice&password=alice-secret&access_type=offline"
                                              + "&scope=repository%3Ateam%2Fapp%3Apull&client_id=docker")
            #expect(good.status == .ok)
            #expect((good.json?["refresh_token"] as? String)?.hasPrefix("zrt_") == true)
            #expect(try await Self.post(client, "grant_type=password&username=alice&password=wrong").status == .unauthorized)
        }
    }

    @Test("grant_type=password spends the per-user-name login budget: past it, 429 with Retry-After, even for the right password")
    func passwordGrantIsThrottled() async throws {
        // No refill during the test, however slow the machine: 5 failures, then the budget is spent.
        try await TokenServiceTests.withTokenService(loginBudget: LoginFailureBudget(burst: 5, refillInterval: 3600)) { client, _, options in
            let burst = try #require(options.loginFailureBudget?.burst)
            for _ in 0..<burst {
                #expect(try await Self.post(client, "grant_type=password&username=alice&password=wrong").status == .unauthorized)
            }
            try await client.execute(uri: "/auth/token", method: .post, headers: Self.form,
                                     body: ByteBuffer(string: "grant_type=password&username=alice&password=alice-secret")) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }

    @Test("Anonymous callers get no refresh token, and bad grants or bodies are OCI errors")
    func refusals() async throws {
        try await TokenServiceTests.withTokenService { client, _ in
            try await client.execute(uri: "/auth/token?offline_token=true", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json?["refresh_token"] == nil)
            }
            let unknown = try await Self.post(client, "grant_type=client_credentials")
            #expect(unknown.status == .badRequest)
            let message = (unknown.json?["errors"] as? [[String: Any]])?.first?["message"] as? String
            #expect(message == "grant_type 'client_credentials' is not supported (password, refresh_token, urn:ietf:params:oauth:grant-type:token-exchange)")
            #expect(try await Self.post(client, "scope=repository%3Aa%3Apull").status == .badRequest)
            #expect(try await Self.post(client, "grant_type=refresh_token&refresh_token=zrt_nope").status == .unauthorized)
            try await client.execute(uri: "/auth/token", method: .post, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status.code == 415)
            }
        }
    }
}
