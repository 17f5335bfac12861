import HTTPTypes
import HummingbirdTesting
@testable import RegistryHTTP
import Testing

@Suite("Where a finished OIDC login may return to (callback_ui): strict parsing, re-serialised output")
struct CallbackTargetTests {
    static let services = AccountServices(callbackAllowOrigins: ["http://allowed.example", "https://ui.example.com/"])

    @Test("A backslash, user info, control characters or a foreign host never pass the origin check", arguments: [
        "http://evil.example\\@allowed.example/",
        "http://evil.example%5C@allowed.example/",
        "http://allowed.example\\@evil.example/",
        "http://allowed.example\\.evil.example/",
        "http://user@allowed.example/",
        "http://allowed.example@evil.example/",
        "http://:@allowed.example/",
        "http://allowed.example/\\evil.example",
        "http://allowed.example/\u{0}x",
        "http://allowed.example\t/",
        "http://allowed.example/ x",
        "http://%61llowed.example/",
        "http://allowed.example:0/",
        "http://allowed.example:99999/",
        "http://allowed.example:80x/",
        "http:/allowed.example/",
        "http:allowed.example/",
        "http:\\\\allowed.example/",
        "http://allowed.example/%zz",
        "http://allowed.example/é",
        "http://allowed.example/a#b#c",
        "http://[::1/",
        "ftp://allowed.example/",
        "/a\\b",
        "/\\evil.example",
        "//evil.example",
    ])
    func hostileTargetsFallBack(_ requested: String) {
        #expect(Self.services.safeCallback(requested) == "/auth/apikeys")
    }

    @Test("Allowed targets come back re-serialised (lower-case scheme and host, default port dropped, empty path = /)", arguments: [
        ("http://allowed.example", "http://allowed.example/"),
        ("HTTP://Allowed.Example/Path?Q=1#F", "http://allowed.example/Path?Q=1#F"),
        ("http://allowed.example:80/x", "http://allowed.example/x"),
        ("https://ui.example.com:443/x?y=%2F", "https://ui.example.com/x?y=%2F"),
        ("https://ui.example.com?x=1", "https://ui.example.com/?x=1"),
        ("/auth/apikeys?tab=1#top", "/auth/apikeys?tab=1#top"),
    ])
    func allowedTargetsAreReserialised(_ requested: String, _ expected: String) {
        #expect(Self.services.safeCallback(requested) == expected)
    }

    @Test("An allowed host on another port or scheme is another origin")
    func otherPortOrScheme() {
        #expect(Self.services.safeCallback("http://allowed.example:8080/") == "/auth/apikeys")
        #expect(Self.services.safeCallback("https://allowed.example/") == "/auth/apikeys")
    }

    @Test("A login asked to return to http://evil.example%5C@allowed.example/ lands on the key page")
    func backslashUserInfoLoginLandsOnKeyPage() async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(AccountLoginTests.setup(provider, allow: ["http://allowed.example"])) { client, _ in
            let login = try await AccountLoginTests.startLogin(client, callbackUI: "http://evil.example\\@allowed.example/")
            provider.willIssue { $0.nonce = login.nonce }
            try await client.execute(uri: "/zot/auth/callback/oidc?state=\(login.state)&code=c", method: .get,
                                     headers: login.cookieHeader) { response in
                #expect(response.status == .found)
                #expect(response.header("Location") == "/auth/apikeys")
            }
        }
    }
}

@Suite("Pending logins are counted per client address")
struct PendingLoginBucketTests {
    @Test("IPv4 addresses count alone; IPv6 addresses count per /64")
    func buckets() {
        #expect(AccountRoutes.pendingLoginBucket("192.0.2.7") == "192.0.2.7")
        #expect(AccountRoutes.pendingLoginBucket("2001:db8:1:2::5") == AccountRoutes.pendingLoginBucket("2001:db8:1:2:ffff::9"))
        #expect(AccountRoutes.pendingLoginBucket("2001:db8:1:2::5") != AccountRoutes.pendingLoginBucket("2001:db8:1:3::5"))
        #expect(AccountRoutes.pendingLoginBucket("unknown") == "unknown")
    }

    @Test("A login started over HTTP remembers the client address it came from")
    func loginRecordsAddress() async throws {
        let provider = FakeIdentityProvider()
        try await withAccountRegistry(AccountLoginTests.setup(provider)) { client, fixture in
            let login = try await AccountLoginTests.startLogin(client)
            let pending = try fixture.sessions.takePendingLogin(state: login.state)
            #expect(pending?.clientAddress != nil)
        }
    }
}
