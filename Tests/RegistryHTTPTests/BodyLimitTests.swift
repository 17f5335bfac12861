import HTTPTypes
import Hummingbird
import RegistryCore
import HummingbirdTesting
@testable import RegistryHTTP
import Testing

@Suite("Oversized request bodies are 413 SIZE_INVALID with an OCI error, never 500")
struct BodyLimitTests {
    static func expectTooLarge(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == .contentTooLarge, "answered \(response.status): \(response.text)", sourceLocation: sourceLocation)
        let errors = response.json?["errors"] as? [[String: Any]]
        #expect(errors?.first?["code"] as? String == "SIZE_INVALID", sourceLocation: sourceLocation)
        #expect((errors?.first?["message"] as? String)?.contains("larger than the limit") == true, sourceLocation: sourceLocation)
    }

    @Test("POST /zot/auth/apikey with a 100 kB label is 413")
    func hugeKeyRequest() async throws {
        try await withAccountRegistry { client, fixture in
            let body = #"{"label":""# + String(repeating: "a", count: 100_000) + #""}"#
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: accountUser("alice") + jsonContent,
                                     body: buffer(body)) { Self.expectTooLarge($0) }
            #expect(try fixture.keys.list(owner: "alice").isEmpty)
        }
    }

    @Test("20 kB form posts to the key page, revoke and logout are 413", arguments: ["/auth/apikeys", "/auth/apikeys/revoke", "/zot/auth/logout"])
    func hugeForms(_ path: String) async throws {
        try await withAccountRegistry { client, fixture in
            let (session, cookie) = try fixture.sessions.create(username: "carol", groups: [], provider: "oidc")
            let form = formBody([("csrf", session.csrfToken), ("label", String(repeating: "b", count: 20_000))])
            try await client.execute(uri: path, method: .post, headers: sessionCookie(cookie) + formContent, body: form) {
                Self.expectTooLarge($0)
            }
            #expect(try fixture.sessions.lookup(cookieValue: cookie) != nil)
        }
    }

    @Test("A declared Content-Length over the limit is 413 before the body is read (the test client rewrites the header, so the check is called directly; e2e covers the wire)")
    func declaredOversizeIsRefusedUpFront() throws {
        let request = Request(head: HTTPRequest(method: .put, scheme: "http", authority: "localhost", path: "/v2/a/manifests/v1",
                                                headerFields: [.contentLength: String(4 * 1024 * 1024 + 1)]),
                              body: .init(buffer: buffer("{}")))
        #expect(throws: RegistryError.self) { try BodyLimit.refuseDeclaredOversize(request, limit: 4 * 1024 * 1024, what: "the manifest") }
        let small = Request(head: HTTPRequest(method: .put, scheme: "http", authority: "localhost", path: "/v2/a/manifests/v1",
                                              headerFields: [.contentLength: "2"]), body: .init(buffer: buffer("{}")))
        try BodyLimit.refuseDeclaredOversize(small, limit: 4 * 1024 * 1024, what: "the manifest")
        #expect(BodyLimit.tooLarge(limit: 1, what: "x").status == 413)
    }

    @Test("A manifest body that grows past the limit without declaring its length is 413")
    func undeclaredOversizeManifest() async throws {
        try await withAccountRegistry { client, _ in
            let headers: HTTPFields = accountUser("alice") + [.contentType: "application/vnd.oci.image.manifest.v1+json"]
            try await client.execute(uri: "/v2/apps/web/manifests/v1", method: .put, headers: headers,
                                     body: buffer([UInt8](repeating: 0x20, count: 4 * 1024 * 1024 + 10))) {
                Self.expectTooLarge($0)
            }
        }
    }
}
