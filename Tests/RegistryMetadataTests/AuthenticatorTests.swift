import Foundation
import RegistryAuthCore
import RegistryCore
@testable import RegistryMetadata
import Testing

private func basic(_ user: String, _ password: String) -> AuthenticationRequest {
    AuthenticationRequest(authorizationHeaders: [BasicCredentials(username: user, password: password).headerValue])
}

@Suite("API key authenticator")
struct APIKeyAuthenticatorTests {
    let metadata: MetadataStore
    let keys: APIKeyStore
    let authenticator: APIKeyAuthenticator

    init() throws {
        metadata = try MetadataStore.inMemory()
        keys = APIKeyStore(store: metadata)
        authenticator = APIKeyAuthenticator(keys: keys)
    }

    @Test("A valid key yields the owner's identity with the key's groups, scopes and id")
    func validKeyAuthenticates() async throws {
        let scope = AccessScope(repositories: "team/**", actions: [.read])
        let (record, secret) = try keys.create(owner: "alice", groups: ["dev"], label: "ci", expiresAt: nil, scopes: [scope])
        let identity = try #require(try await authenticator.authenticate(basic("alice", secret)))
        #expect(identity.username == "alice")
        #expect(identity.groups == ["dev"])
        #expect(identity.method == .apiKey)
        #expect(identity.scopes == [scope])
        #expect(identity.credentialID == record.id)
    }

    @Test("A key without scopes yields an identity without restrictions")
    func unscopedKeyHasNilScopes() async throws {
        let (_, secret) = try keys.create(owner: "alice", groups: [], label: "ci", expiresAt: nil, scopes: [])
        let identity = try #require(try await authenticator.authenticate(basic("alice", secret)))
        #expect(identity.scopes == nil)
    }

    @Test("Alice's key presented as Bob is not accepted, and the chain rejects the request")
    func keyOfAnotherUserIsRejected() async throws {
        let (_, secret) = try keys.create(owner: "alice", groups: [], label: "ci", expiresAt: nil, scopes: [])
        _ = try keys.create(owner: "bob", groups: [], label: "ci", expiresAt: nil, scopes: [])
        #expect(try await authenticator.authenticate(basic("bob", secret)) == nil)
        let error = await #expect(throws: AuthenticationFailure.self) {
            try await AuthenticatorChain([authenticator]).authenticate(basic("bob", secret))
        }
        #expect(error?.kind == .invalidCredentials)
    }

    @Test("Other schemes, plain passwords and unknown keys are left to other authenticators")
    func unrelatedCredentialsAreIgnored() async throws {
        #expect(try await authenticator.authenticate(AuthenticationRequest()) == nil)
        #expect(try await authenticator.authenticate(AuthenticationRequest(authorizationHeaders: ["Bearer abc"])) == nil)
        #expect(try await authenticator.authenticate(basic("alice", "hunter2")) == nil)
        #expect(try await authenticator.authenticate(basic("alice", "zak_" + String(repeating: "a", count: 64))) == nil)
    }

    @Test("A storage failure rejects the request as backend-unavailable")
    func storageFailureIsBackendUnavailable() async throws {
        try metadata.execute("DROP TABLE api_keys")
        let error = await #expect(throws: AuthenticationFailure.self) {
            try await authenticator.authenticate(basic("alice", "zak_" + String(repeating: "a", count: 64)))
        }
        #expect(error?.kind == .backendUnavailable)
    }
}

@Suite("Session authenticator")
struct SessionAuthenticatorTests {
    let clock = ManualClock()
    let metadata: MetadataStore
    let sessions: SessionStore
    let authenticator: SessionAuthenticator

    init() throws {
        metadata = try MetadataStore.inMemory()
        sessions = SessionStore(store: metadata, lifetime: 60, clock: clock.now)
        authenticator = SessionAuthenticator(sessions: sessions)
    }

    private func withCookie(_ value: String, authorization: [String] = []) -> AuthenticationRequest {
        AuthenticationRequest(authorizationHeaders: authorization, cookieHeaders: ["theme=dark; session=\(value)"])
    }

    @Test("A live session cookie yields the session's identity")
    func liveCookieAuthenticates() async throws {
        let (session, cookie) = try sessions.create(username: "alice", groups: ["dev"], provider: "dex")
        let identity = try #require(try await authenticator.authenticate(withCookie(cookie)))
        #expect(identity.username == "alice")
        #expect(identity.groups == ["dev"])
        #expect(identity.method == .oidcSession)
        #expect(identity.credentialID == session.id)
    }

    @Test("A cookie is ignored when the request carries an Authorization header")
    func authorizationHeaderWins() async throws {
        let (_, cookie) = try sessions.create(username: "alice", groups: [], provider: "dex")
        let request = withCookie(cookie, authorization: [BasicCredentials(username: "bob", password: "x").headerValue])
        #expect(try await authenticator.authenticate(request) == nil)
    }

    @Test("Unknown and expired cookies leave the request anonymous")
    func staleCookiesAreAnonymous() async throws {
        let (_, cookie) = try sessions.create(username: "alice", groups: [], provider: "dex")
        #expect(try await authenticator.authenticate(withCookie("bogus")) == nil)
        #expect(try await authenticator.authenticate(AuthenticationRequest()) == nil)
        clock.advance(by: 60)
        #expect(try await authenticator.authenticate(withCookie(cookie)) == nil)
        let identity = try await AuthenticatorChain([authenticator]).authenticate(withCookie(cookie))
        #expect(identity.isAnonymous)
    }

    @Test("A storage failure rejects the request as backend-unavailable")
    func storageFailureIsBackendUnavailable() async throws {
        try metadata.execute("DROP TABLE browser_sessions")
        let error = await #expect(throws: AuthenticationFailure.self) {
            try await authenticator.authenticate(withCookie("AAAA"))
        }
        #expect(error?.kind == .backendUnavailable)
    }
}
