import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
@testable import RegistryHTTP
import Testing

/// `Sec-Fetch-Site`.
let fetchSiteHeader = HTTPField.Name("Sec-Fetch-Site")!

@Suite("CSRF: state-changing requests authenticated by the session cookie must come from the registry's own pages")
struct BrowserCSRFTests {
    static let textPlain: HTTPFields = [.contentType: "text/plain"]

    @Test("A cross-origin text/plain POST to /zot/auth/logout is 403 and the session lives on", arguments: [
        [HTTPField.Name.origin: "http://evil.example"] as HTTPFields,
        [fetchSiteHeader: "cross-site"],
        [fetchSiteHeader: "same-site", HTTPField.Name.origin: "http://localhost"],
        [HTTPField.Name.origin: "http://localhost:8080"],
        [HTTPField.Name.origin: "null"],
        [:],
    ])
    func crossOriginLogoutIsRefused(_ headers: HTTPFields) async throws {
        try await withAccountRegistry { client, fixture in
            let (_, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            try await client.execute(uri: "/zot/auth/logout", method: .post,
                                     headers: sessionCookie(cookie) + Self.textPlain + headers,
                                     body: buffer("csrf=x")) { response in
                #expect(response.status == .forbidden)
                #expect(response.json?["errors"] != nil)
            }
            #expect(try fixture.sessions.lookup(cookieValue: cookie) != nil)
        }
    }

    @Test("A logout from the registry's own origin (Origin = Host, or Sec-Fetch-Site: same-origin) ends the session", arguments: [
        [HTTPField.Name.origin: "http://localhost"] as HTTPFields,
        [fetchSiteHeader: "same-origin"],
    ])
    func sameOriginLogoutWorks(_ headers: HTTPFields) async throws {
        try await withAccountRegistry { client, fixture in
            let (_, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            try await client.execute(uri: "/zot/auth/logout", method: .post,
                                     headers: sessionCookie(cookie) + Self.textPlain + headers) { response in
                #expect(response.status == .ok)
            }
            #expect(try fixture.sessions.lookup(cookieValue: cookie) == nil)
        }
    }

    @Test("A cross-origin form logout without the CSRF token is 403; with the page's token it works")
    func formLogoutNeedsToken() async throws {
        try await withAccountRegistry { client, fixture in
            let (session, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            let crossSite: HTTPFields = [fetchSiteHeader: "cross-site"]
            try await client.execute(uri: "/zot/auth/logout", method: .post, headers: sessionCookie(cookie) + formContent + crossSite,
                                     body: formBody([("csrf", "guess")])) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try fixture.sessions.lookup(cookieValue: cookie) != nil)
            try await client.execute(uri: "/zot/auth/logout", method: .post, headers: sessionCookie(cookie) + formContent,
                                     body: formBody([("csrf", session.csrfToken)])) { response in
                #expect(response.status == .seeOther)
            }
            #expect(try fixture.sessions.lookup(cookieValue: cookie) == nil)
        }
    }

    @Test("Cookie-authenticated registry writes and key API calls from another origin are 403; reads are not affected")
    func crossOriginRegistryWritesAreRefused() async throws {
        try await withAccountRegistry { client, fixture in
            let (_, cookie) = try fixture.sessions.create(username: "alice", groups: [], provider: "oidc")
            let crossSite: HTTPFields = [fetchSiteHeader: "same-site"]
            try await client.execute(uri: "/v2/apps/web/blobs/uploads/", method: .post, headers: sessionCookie(cookie) + crossSite) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: sessionCookie(cookie) + jsonContent + crossSite,
                                     body: buffer(#"{"label":"x"}"#)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/zot/auth/apikey?id=x", method: .delete, headers: sessionCookie(cookie)) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try fixture.keys.list(owner: "alice").isEmpty)
            try await client.execute(uri: "/v2/", method: .get, headers: sessionCookie(cookie) + crossSite) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v2/apps/web/blobs/uploads/", method: .post, headers: sessionCookie(cookie) + sameOrigin) { response in
                #expect(response.status == .accepted)
            }
        }
    }

    @Test("Requests with explicit credentials (Basic) are not subject to the browser check")
    func basicIsNotChecked() async throws {
        try await withAccountRegistry { client, _ in
            try await client.execute(uri: "/v2/apps/web/blobs/uploads/", method: .post,
                                     headers: accountUser("alice") + [HTTPField.Name.origin: "http://evil.example"]) { response in
                #expect(response.status == .accepted)
            }
        }
    }

    @Test("The externalUrl origin counts as our own origin behind a proxy that rewrites Host")
    func externalOriginIsOurs() {
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "10.0.0.5:5000", path: "/zot/auth/logout",
                                                headerFields: [HTTPField.Name.origin: "https://registry.example.com"]),
                              body: .init(buffer: buffer("")))
        #expect(BrowserOriginMiddleware.isSameOrigin(request, externalOrigin: "https://registry.example.com/zot"))
        #expect(!BrowserOriginMiddleware.isSameOrigin(request, externalOrigin: nil))
        #expect(!BrowserOriginMiddleware.isSameOrigin(request, externalOrigin: "https://other.example.com"))
    }
}
