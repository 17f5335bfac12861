import Foundation
import Testing
@testable import RegistryMetadata

@Suite("Refresh tokens are stored hashed, expire and can be revoked")
struct RefreshTokenStoreTests {
    let clock = ManualClock()
    let metadata: MetadataStore
    let tokens: RefreshTokenStore

    init() throws {
        metadata = try MetadataStore.inMemory()
        tokens = RefreshTokenStore(store: metadata, clock: clock.now)
    }

    @Test("An issued token redeems as its owner with its groups, and only its hash is stored")
    func issueAndRedeem() throws {
        let (record, secret) = try tokens.issue(owner: "alice", groups: ["devs"], ownerSource: "htpasswd", clientID: "docker", lifetime: 3600)
        #expect(secret.hasPrefix("zrt_") && secret.count == 68)
        let redeemed = try #require(try tokens.redeem(secret))
        #expect(redeemed.id == record.id && redeemed.owner == "alice" && redeemed.groups == ["devs"] && redeemed.lastUsedAt != nil)
        let stored = try metadata.read("dump") { db in try String.fetchAll(db, sql: "SELECT hex(token_hash) || owner || id FROM refresh_tokens") }
        #expect(!stored.joined().lowercased().contains(String(secret.dropFirst(4))))
    }

    @Test("Unknown, malformed, expired and revoked tokens do not redeem")
    func refusals() throws {
        #expect(try tokens.redeem("zrt_" + String(repeating: "0", count: 64)) == nil)
        #expect(try tokens.redeem("not-a-token") == nil)
        let (_, expiring) = try tokens.issue(owner: "alice", groups: [], ownerSource: "ldap", clientID: nil, lifetime: 60)
        clock.advance(by: 61)
        #expect(try tokens.redeem(expiring) == nil)
        #expect(try tokens.list(owner: "alice").isEmpty, "an expired token is deleted when presented")
        let (record, secret) = try tokens.issue(owner: "alice", groups: [], ownerSource: "htpasswd", clientID: nil, lifetime: 60)
        #expect(try !tokens.revoke(id: record.id, owner: "bob"))
        #expect(try tokens.revoke(id: record.id, owner: "alice"))
        #expect(try tokens.redeem(secret) == nil)
    }

    @Test("Listing shows the owner's tokens and revokeAll removes them")
    func listAndRevokeAll() throws {
        _ = try tokens.issue(owner: "alice", groups: [], ownerSource: "htpasswd", clientID: nil, lifetime: 60)
        _ = try tokens.issue(owner: "alice", groups: [], ownerSource: "htpasswd", clientID: nil, lifetime: 60)
        _ = try tokens.issue(owner: "bob", groups: [], ownerSource: "htpasswd", clientID: nil, lifetime: 60)
        #expect(try tokens.list(owner: "alice").count == 2)
        #expect(try tokens.revokeAll(owner: "alice") == 2)
        #expect(try tokens.list(owner: "bob").count == 1)
    }
}
