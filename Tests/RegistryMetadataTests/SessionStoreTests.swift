import Foundation
@testable import RegistryMetadata
import Testing

@Suite("Session store")
struct SessionStoreTests {
    let clock = ManualClock()
    let metadata: MetadataStore
    let sessions: SessionStore

    init() throws {
        metadata = try MetadataStore.inMemory()
        sessions = SessionStore(store: metadata, lifetime: 3600, clock: clock.now)
    }

    private func login(state: String = "state-1", age: TimeInterval = 0) -> PendingLogin {
        PendingLogin(state: state, nonce: "nonce-1", codeVerifier: "verifier-1", provider: "dex", callbackUI: "/home",
                     createdAt: clock.now().addingTimeInterval(-age))
    }

    @Test("A created session is found by its cookie and the cookie is stored only as a hash")
    func lookupFindsSession() throws {
        let (session, cookie) = try sessions.create(username: "alice", groups: ["dev", "ops"], provider: "dex")
        #expect(cookie.count == 43)
        #expect(SecretMaterial.isBase64URL(cookie, maximumLength: 43))
        #expect(session.expiresAt == session.createdAt.addingTimeInterval(3600))
        #expect(session.csrfToken.count == 43 && session.csrfToken != cookie)
        #expect(try sessions.lookup(cookieValue: cookie) == session)
        let stored = try metadata.rawValues(of: "browser_sessions")
        #expect(!stored.contains { $0.contains(cookie) })
        #expect(stored.contains(SecretMaterial.hex(SecretMaterial.sha256(cookie))))
    }

    @Test("Unknown, altered and malformed cookies find nothing")
    func unknownCookiesFindNothing() throws {
        let (_, cookie) = try sessions.create(username: "alice", groups: [], provider: "dex")
        #expect(try sessions.lookup(cookieValue: String(cookie.dropLast()) + (cookie.last == "A" ? "B" : "A")) == nil)
        #expect(try sessions.lookup(cookieValue: "") == nil)
        #expect(try sessions.lookup(cookieValue: "not base64url!") == nil)
        #expect(try sessions.lookup(cookieValue: String(repeating: "A", count: 10_000)) == nil)
    }

    @Test("With a pepper the stored hash is an HMAC, and a different pepper finds nothing")
    func pepperKeysTheHash() throws {
        let pepper = Array(repeating: UInt8(7), count: 32)
        let peppered = SessionStore(store: metadata, pepper: pepper, clock: clock.now)
        let (session, cookie) = try peppered.create(username: "alice", groups: [], provider: "dex")
        #expect(try peppered.lookup(cookieValue: cookie) == session)
        let stored = try metadata.rawValues(of: "browser_sessions")
        #expect(stored.contains(SecretMaterial.hex(SecretMaterial.hmacSHA256(key: pepper, cookie))))
        #expect(!stored.contains(SecretMaterial.hex(SecretMaterial.sha256(cookie))))
        #expect(try sessions.lookup(cookieValue: cookie) == nil)
        let otherPepper = SessionStore(store: metadata, pepper: Array(repeating: 8, count: 32), clock: clock.now)
        #expect(try otherPepper.lookup(cookieValue: cookie) == nil)
    }

    @Test("An expired session is not returned and is deleted")
    func expiredSessionIsDeleted() throws {
        let (_, cookie) = try sessions.create(username: "alice", groups: [], provider: "dex")
        clock.advance(by: 3599)
        #expect(try sessions.lookup(cookieValue: cookie) != nil)
        clock.advance(by: 1)
        #expect(try sessions.lookup(cookieValue: cookie) == nil)
        #expect(try metadata.rawValues(of: "browser_sessions").isEmpty)
    }

    @Test("delete ends one session and deleteAll ends every session of a user")
    func deleteEndsSessions() throws {
        let (_, first) = try sessions.create(username: "alice", groups: [], provider: "dex")
        let (_, second) = try sessions.create(username: "alice", groups: [], provider: "dex")
        let (_, third) = try sessions.create(username: "alice", groups: [], provider: "dex")
        let (_, bobs) = try sessions.create(username: "bob", groups: [], provider: "dex")
        try sessions.delete(cookieValue: first)
        #expect(try sessions.lookup(cookieValue: first) == nil)
        #expect(try sessions.lookup(cookieValue: second) != nil)
        #expect(try sessions.deleteAll(username: "alice") == 2)
        #expect(try sessions.lookup(cookieValue: third) == nil)
        #expect(try sessions.lookup(cookieValue: bobs) != nil)
    }

    @Test("A pending login can be taken exactly once")
    func pendingLoginIsSingleUse() throws {
        let pending = login()
        try sessions.savePendingLogin(pending)
        #expect(try sessions.takePendingLogin(state: "state-1") == pending)
        #expect(try sessions.takePendingLogin(state: "state-1") == nil)
        #expect(try sessions.takePendingLogin(state: "other") == nil)
    }

    @Test("A pending login older than ten minutes is refused and removed")
    func pendingLoginExpires() throws {
        try sessions.savePendingLogin(login(state: "fresh"))
        try sessions.savePendingLogin(login(state: "stale"))
        clock.advance(by: 601)
        #expect(try sessions.takePendingLogin(state: "stale") == nil)
        #expect(try metadata.rawValues(of: "pending_logins").contains("fresh"))
        #expect(try sessions.purgeExpired() == 1)
        #expect(try sessions.takePendingLogin(state: "fresh") == nil)
    }

    @Test("A repeated or empty state cannot be saved")
    func duplicateStateIsRefused() throws {
        try sessions.savePendingLogin(login())
        #expect(throws: MetadataStoreError.self) { try sessions.savePendingLogin(login()) }
        #expect(throws: MetadataStoreError.self) { try sessions.savePendingLogin(login(state: "")) }
    }

    @Test("purgeExpired removes ended sessions and stale logins only")
    func purgeRemovesOnlyExpired() throws {
        let (_, old) = try sessions.create(username: "alice", groups: [], provider: "dex")
        clock.advance(by: 3599)
        let (_, young) = try sessions.create(username: "bob", groups: [], provider: "dex")
        try sessions.savePendingLogin(login(state: "old", age: 599))
        try sessions.savePendingLogin(login(state: "young"))
        clock.advance(by: 2)
        #expect(try sessions.purgeExpired() == 2)
        #expect(try sessions.lookup(cookieValue: old) == nil)
        #expect(try sessions.lookup(cookieValue: young) != nil)
        #expect(try sessions.takePendingLogin(state: "young") != nil)
    }
}
