import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RegistryHTTP
import Testing

@Suite("OIDC browser login (/zot/auth/login, /zot/auth/callback/oidc) and where it may return to")
struct AccountLoginTests {
    static func setup(_ provider: FakeIdentityProvider, allow origins: [String] = []) -> AccountRegistrySetup {
        AccountRegistrySetup(providers: ["oidc": provider.relyingParty()], callbackAllowOrigins: origins)
    }

    /// A login started by a browser: where it is sent, and the cookie binding the login to it.
    struct StartedLogin {
        let location: String
        let stateCookie: String
        var state: String { queryValue("state", in: location) ?? "" }
        var nonce: String? { queryValue("nonce", in: location) }
        /// The `Cookie` header the browser sends back to the callback.
        var cookieHeader: HTTPFields { [.cookie: stateCookie] }
    }

    /// Starts a login as a browser would.
    static func startLogin(_ client: any TestClientProtocol, callbackUI: String = "/auth/apikeys") async throws -> StartedLogin {
        let encoded = callbackUI.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let response = try await client.execute(uri: "/zot/auth/login?provider=oidc&callback_ui=\(encoded)", method: .get)
        guard response.status == .found, let location = response.header("Location"),
              let cookie = setCookies(response).first(where: { $0.hasPrefix("zot_login_state=") }) else {
            throw FixtureError(description: "login answered \(response.status): \(response.text)")
        }
        return StartedLogin(location: location, stateCookie: String(cookie.split(separator: ";")[0]))
    }

    /// Every `Set-Cookie` value of a response.
    static func setCookies(_ response: TestResponse) -> [String] {
        response.headers[values: .setCookie]
    }

    @Test("The login page links to each provider")
    func loginPageListsProviders() async throws {
        try await withAccountRegistry(Self.setup(FakeIdentityProvider())) { client, _ in
            try await client.execute(uri: "/auth/login", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("id=\"login-oidc\""))
                #expect(response.text.contains("/zot/auth/login?provider=oidc&amp;callback_ui=/auth/apikeys"))
                #expect(!response.text.contains("No login provider"))
            }
        }
    }

    @Test("A full login: redirect with state, nonce and PKCE; callback opens a session whose cookie reaches the key page")
    func fullLogin() async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(Self.setup(provider)) { client, fixture in
            let login = try await Self.startLogin(client)
            #expect(login.location.hasPrefix(FakeIdentityProvider.authorizeURL + "?"))
            #expect(queryValue("code_challenge_method", in: login.location) == "S256")
            #expect(queryValue("redirect_uri", in: login.location) == FakeIdentityProvider.redirectURI)
            #expect(login.stateCookie == "zot_login_state=\(login.state)")
            let challenge = try #require(queryValue("code_challenge", in: login.location))
            provider.willIssue { $0.nonce = login.nonce }

            var cookie = ""
            try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&code=the-code", method: .get,
                                     headers: login.cookieHeader) { response in
                #expect(response.status == .found, "\(response.text)")
                #expect(response.header("Location") == "/auth/apikeys")
                let cookies = Self.setCookies(response)
                let session = cookies.first { $0.hasPrefix("session=") } ?? ""
                #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"))
                #expect(cookies.contains { $0.hasPrefix("zot_login_state=;") && $0.contains("Max-Age=0") })
                cookie = String(session.split(separator: ";").first?.dropFirst("session=".count) ?? "")
            }
            let request = try #require(provider.receivedTokenRequests.first)
            #expect(request["code"] == "the-code")
            let verifier = request["code_verifier"] ?? ""
            #expect(FakeIdentityProvider.base64URL(Data(SHA256.hash(data: Data(verifier.utf8)))) == challenge)

            let session = try #require(try fixture.sessions.lookup(cookieValue: cookie))
            #expect(session.username == "carol" && session.groups == ["dev"])
            try await client.execute(uri: "/auth/apikeys", method: .get, headers: sessionCookie(cookie)) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("<strong id=\"username\">carol</strong>"))
            }
            let event = try fixture.auditEvents().first { $0["event"] as? String == "oidc-login" }
            #expect(event?["result"] as? String == "allow")
            #expect(event?["credentialId"] as? String == session.id)

            // The state is single use.
            try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&code=the-code", method: .get,
                                     headers: login.cookieHeader) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("Each login refreshes the groups of the user's API keys, as Zot does")
    func loginRefreshesKeyGroups() async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(Self.setup(provider)) { client, fixture in
            let (_, secret) = try fixture.keys.create(owner: "carol", groups: ["dev", "release"], label: "ci", expiresAt: nil, scopes: [])
            let login = try await Self.startLogin(client)
            provider.willIssue { $0.nonce = login.nonce; $0.groups = ["dev"] }
            try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&code=the-code", method: .get,
                                     headers: login.cookieHeader) { response in
                #expect(response.status == .found, "\(response.text)")
            }
            #expect(try fixture.keys.verify(username: "carol", secret: secret)?.groups == ["dev"])
        }
    }

    @Test("A callback with an unknown or missing state is 400 and opens no session", arguments: [
        "?state=never-issued&code=x", "?code=x", "",
    ])
    func unknownState(_ query: String) async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(Self.setup(provider)) { client, fixture in
            try await client.execute(uri: "/zot/auth/callback/oidc\(query)", method: .get,
                                     headers: [.cookie: "zot_login_state=never-issued"]) { response in
                #expect(response.status == .badRequest)
                #expect(response.header("Set-Cookie") == nil)
            }
            #expect(provider.receivedTokenRequests.isEmpty)
            let events = try fixture.auditEvents().filter { $0["event"] as? String == "oidc-login" }
            #expect(events.map { $0["result"] as? String } == ["auth-failure"])
        }
    }

    @Test("A callback from a browser that did not start the login (no or another state cookie) is 400", arguments: [
        nil, "zot_login_state=someone-else",
    ])
    func callbackFromAnotherBrowser(_ cookie: String?) async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(Self.setup(provider)) { client, _ in
            let login = try await Self.startLogin(client)
            provider.willIssue { $0.nonce = login.nonce }
            try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&code=c", method: .get,
                                     headers: cookie.map { [.cookie: $0] } ?? [:]) { response in
                #expect(response.status == .badRequest)
                #expect(!Self.setCookies(response).contains { $0.hasPrefix("session=") })
            }
            #expect(provider.receivedTokenRequests.isEmpty)
        }
    }

    @Test("An ID token with the wrong nonce or audience is 401 and opens no session")
    func forgedToken() async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(Self.setup(provider)) { client, _ in
            for change in [{ (next: inout FakeIdentityProvider.NextToken) in next.nonce = "replayed" },
                           { (next: inout FakeIdentityProvider.NextToken) in next.audience = "another-client" }] {
                let login = try await Self.startLogin(client)
                provider.willIssue { $0 = FakeIdentityProvider.NextToken(nonce: login.nonce) }
                provider.willIssue(change)
                try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&code=c", method: .get,
                                         headers: login.cookieHeader) { response in
                    #expect(response.status == .unauthorized)
                    #expect(!Self.setCookies(response).contains { $0.hasPrefix("session=") })
                }
            }
            #expect(provider.receivedTokenRequests.count == 2)
        }
    }

    @Test("A login to a foreign callback_ui lands on the key page instead")
    func openRedirectIsRefused() async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(Self.setup(provider)) { client, _ in
            let login = try await Self.startLogin(client, callbackUI: "https://evil.example/steal")
            provider.willIssue { $0.nonce = login.nonce }
            try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&code=c", method: .get,
                                     headers: login.cookieHeader) { response in
                #expect(response.status == .found)
                #expect(response.header("Location") == "/auth/apikeys")
            }
        }
    }

    @Test("A provider error in the callback is 401")
    func providerError() async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(Self.setup(provider)) { client, _ in
            let login = try await Self.startLogin(client)
            try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&error=access_denied", method: .get,
                                     headers: login.cookieHeader) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(provider.receivedTokenRequests.isEmpty)
        }
    }

    @Test("An unknown login provider is 400")
    func unknownProvider() async throws {
        try await withAccountRegistry(Self.setup(FakeIdentityProvider())) { client, _ in
            try await client.execute(uri: "/zot/auth/login?provider=github", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("safeCallback keeps local paths and allowed origins and sends everything else to the key page", arguments: [
        ("/auth/apikeys?tab=1", "/auth/apikeys?tab=1"),
        ("/", "/"),
        ("https://ui.example.com/after-login", "https://ui.example.com/after-login"),
        ("HTTPS://UI.example.com/x", "https://ui.example.com/x"),
        ("//evil.com", "/auth/apikeys"),
        ("/\\evil.com", "/auth/apikeys"),
        ("/\t/evil.com", "/auth/apikeys"),
        ("/\n/evil.com", "/auth/apikeys"),
        ("https://evil.com/x", "/auth/apikeys"),
        ("https://ui.example.com.evil.com/x", "/auth/apikeys"),
        ("https://ui.example.com@evil.com/x", "/auth/apikeys"),
        ("https://ui.example.com:8443/x", "/auth/apikeys"),
        ("javascript:alert(1)", "/auth/apikeys"),
        ("evil.com", "/auth/apikeys"),
        ("", "/auth/apikeys"),
    ])
    func safeCallback(_ requested: String, _ expected: String) {
        let services = AccountServices(callbackAllowOrigins: ["https://ui.example.com/"])
        #expect(services.safeCallback(requested) == expected)
        #expect(services.safeCallback(nil) == "/auth/apikeys")
    }
}
