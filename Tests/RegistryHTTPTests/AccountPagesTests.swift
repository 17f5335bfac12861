import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("The account web pages (/auth/login, /auth/apikeys)")
struct AccountPagesTests {
    @Test("Without providers the login page says no provider is configured; it is served with defensive headers")
    func loginPageWithoutProviders() async throws {
        try await withAccountRegistry { client, _ in
            try await client.execute(uri: "/auth/login", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Type") == "text/html; charset=utf-8")
                #expect(response.text.contains("No login provider is configured."))
                #expect(response.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
                #expect(response.header("X-Frame-Options") == "DENY")
            }
        }
    }

    @Test("Without a session store no page is served")
    func pagesNeedSessions() async throws {
        try await withAccountRegistry(AccountRegistrySetup(sessions: false)) { client, _ in
            for path in ["/auth/login", "/auth/apikeys"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test("The key page without a session redirects to the login page (303)", arguments: [nil, "not-a-session"])
    func keyPageNeedsSession(_ cookie: String?) async throws {
        try await withAccountRegistry { client, _ in
            try await client.execute(uri: "/auth/apikeys", method: .get, headers: cookie.map(sessionCookie) ?? [:]) { response in
                #expect(response.status == .seeOther)
                #expect(response.header("Location") == "/auth/login")
            }
        }
    }

    @Test("The key page escapes the user name and sets a Content-Security-Policy")
    func keyPageEscapesUsername() async throws {
        try await withAccountRegistry { client, fixture in
            let (_, cookie) = try fixture.sessions.create(username: "<script>alert(1)</script>", groups: ["a&b"], provider: "oidc")
            try await client.execute(uri: "/auth/apikeys", method: .get, headers: sessionCookie(cookie)) { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains("<script>"))
                #expect(response.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(response.text.contains("a&amp;b"))
                #expect(response.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
                #expect(response.header("Cache-Control") == "no-store")
            }
        }
    }

    @Test("Creating a key through the form shows the secret once (201) and lists the key afterwards")
    func createKeyThroughForm() async throws {
        try await withAccountRegistry { client, fixture in
            let (session, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            var secret = ""
            try await client.execute(uri: "/auth/apikeys", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody([("csrf", session.csrfToken), ("label", "my laptop"), ("expires_in_days", "7")])) { response in
                #expect(response.status == .created)
                #expect(response.text.contains("id=\"new-api-key\""))
                let range = response.text.range(of: #"zak_[0-9a-f]{64}"#, options: .regularExpression)
                secret = range.map { String(response.text[$0]) } ?? ""
                #expect(!secret.isEmpty)
                #expect(response.text.contains("my laptop"))
            }
            let records = try fixture.keys.list(owner: "carol")
            #expect(records.map(\.label) == ["my laptop"])
            let lifetime = records.first?.expiresAt.map { $0.timeIntervalSinceNow } ?? 0
            #expect(lifetime > 6.9 * 86400 && lifetime <= 7 * 86400)
            try await client.execute(uri: "/auth/apikeys", method: .get, headers: sessionCookie(cookie)) { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains("new-api-key"))
                #expect(!response.text.contains(secret))
                #expect(response.text.contains("data-id=\"\(records.first?.id ?? "-")\""))
            }
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: basicAuthorization("carol", secret)) { response in
                #expect(response.status != .unauthorized)
            }
        }
    }

    @Test("A bad expiry in the form is shown as a message, and no key is created")
    func badExpiryInForm() async throws {
        try await withAccountRegistry { client, fixture in
            let (session, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            try await client.execute(uri: "/auth/apikeys", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody([("csrf", session.csrfToken), ("label", "x"), ("expires_in_days", "-3")])) { response in
                #expect(response.text.contains("id=\"message\""))
                #expect(!response.text.contains("new-api-key"))
            }
            #expect(try fixture.keys.list(owner: "carol").isEmpty)
        }
    }

    @Test("Forms with a missing or wrong CSRF token are 403 and change nothing")
    func wrongCSRFIsRefused() async throws {
        try await withAccountRegistry { client, fixture in
            let (session, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            let (record, _) = try fixture.keys.create(owner: "carol", groups: [], label: "kept", expiresAt: nil, scopes: [])
            let forged = [("csrf", String(session.csrfToken.reversed()))]
            try await client.execute(uri: "/auth/apikeys", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody(forged + [("label", "evil")])) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/auth/apikeys", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody([("label", "evil")])) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/auth/apikeys/revoke", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody(forged + [("id", record.id)])) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/zot/auth/logout", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody(forged)) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try fixture.keys.list(owner: "carol").map(\.id) == [record.id])
            #expect(try fixture.sessions.lookup(cookieValue: cookie) != nil)
        }
    }

    @Test("Revoking through the form redirects back (303) and removes only the session user's key")
    func revokeThroughForm() async throws {
        try await withAccountRegistry { client, fixture in
            let (session, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            let (own, _) = try fixture.keys.create(owner: "carol", groups: [], label: "own", expiresAt: nil, scopes: [])
            let (foreign, _) = try fixture.keys.create(owner: "dave", groups: [], label: "foreign", expiresAt: nil, scopes: [])
            for id in [foreign.id, own.id] {
                try await client.execute(uri: "/auth/apikeys/revoke", method: .post, headers: sessionCookie(cookie) + formContent,
                                         body: formBody([("csrf", session.csrfToken), ("id", id)])) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.header("Location") == "/auth/apikeys")
                }
            }
            #expect(try fixture.keys.list(owner: "carol").isEmpty)
            #expect(try fixture.keys.list(owner: "dave").map(\.id) == [foreign.id])
            let revokes = try fixture.auditEvents().filter { $0["event"] as? String == "apikey-revoke" }
            #expect(revokes.map { $0["credentialId"] as? String } == [own.id])
        }
    }

    @Test("Signing out through the form ends the session, clears the cookie and redirects to the login page")
    func logoutThroughForm() async throws {
        try await withAccountRegistry { client, fixture in
            let (session, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            try await client.execute(uri: "/auth/apikeys", method: .get, headers: sessionCookie(cookie)) { response in
                #expect(csrfToken(in: response.text) == session.csrfToken)
            }
            try await client.execute(uri: "/zot/auth/logout", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody([("csrf", session.csrfToken)])) { response in
                #expect(response.status == .seeOther)
                #expect(response.header("Location") == "/auth/login")
                let setCookie = response.header("Set-Cookie") ?? ""
                #expect(setCookie.hasPrefix("session=;"))
                #expect(setCookie.contains("Max-Age=0"))
                #expect(setCookie.contains("HttpOnly"))
            }
            #expect(try fixture.sessions.lookup(cookieValue: cookie) == nil)
            try await client.execute(uri: "/auth/apikeys", method: .get, headers: sessionCookie(cookie)) { response in
                #expect(response.status == .seeOther)
            }
            let logout = try fixture.auditEvents().first { $0["event"] as? String == "oidc-logout" }
            #expect(logout?["credentialId"] as? String == session.id)
            #expect(!(try fixture.auditText()).contains(cookie))
        }
    }

    @Test("A same-origin script signs out without a form and gets 200")
    func logoutAsAPIClient() async throws {
        try await withAccountRegistry { client, fixture in
            let (_, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            try await client.execute(uri: "/zot/auth/logout", method: .post, headers: sessionCookie(cookie) + sameOrigin) { response in
                #expect(response.status == .ok)
                #expect(response.header("Set-Cookie")?.contains("Max-Age=0") == true)
            }
            #expect(try fixture.sessions.lookup(cookieValue: cookie) == nil)
        }
    }

    @Test("A session may use the JSON key API from its own origin; the JSON content type also stops cross-site forms")
    func sessionUsesJSONAPI() async throws {
        try await withAccountRegistry { client, fixture in
            let (_, cookie) = try fixture.sessions.create(username: "carol", groups: ["dev"], provider: "oidc")
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: sessionCookie(cookie) + jsonContent + sameOrigin,
                                     body: buffer(#"{"label":"from the browser"}"#)) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: sessionCookie(cookie) + formContent + sameOrigin,
                                     body: buffer("label=evil")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            #expect(try fixture.keys.list(owner: "carol").map(\.groups) == [["dev"]])
        }
    }
}
