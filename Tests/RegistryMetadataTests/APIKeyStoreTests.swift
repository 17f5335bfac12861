import Foundation
import RegistryCore
@testable import RegistryMetadata
import Testing

@Suite("API key store")
struct APIKeyStoreTests {
    let clock = ManualClock()
    let metadata: MetadataStore
    let keys: APIKeyStore

    init() throws {
        metadata = try MetadataStore.inMemory()
        keys = APIKeyStore(store: metadata, clock: clock.now)
    }

    private func makeKey(owner: String = "alice", label: String = "ci", expiresAt: Date? = nil,
                         scopes: [AccessScope] = []) throws -> (record: APIKeyRecord, secret: String) {
        try keys.create(owner: owner, groups: ["dev"], label: label, expiresAt: expiresAt, scopes: scopes)
    }

    @Test("A new key's secret is zak_ plus 64 hex digits and only its SHA-256 is stored")
    func secretIsStoredOnlyHashed() throws {
        let (record, secret) = try makeKey()
        #expect(secret.hasPrefix("zak_"))
        #expect(secret.count == 68)
        #expect(APIKeyStore.isWellFormed(secret))
        let stored = try metadata.rawValues(of: "api_keys")
        #expect(!stored.contains { $0.contains(secret) || $0.contains(String(secret.dropFirst(4))) })
        #expect(stored.contains(SecretMaterial.hex(SecretMaterial.sha256(secret))))
        #expect(stored.contains(record.id))
    }

    @Test("Two keys never share a secret or an id")
    func secretsAreUnique() throws {
        let first = try makeKey()
        let second = try makeKey()
        #expect(first.secret != second.secret)
        #expect(first.record.id != second.record.id)
    }

    @Test("The right key verifies for its owner and returns the stored record")
    func rightKeyVerifies() throws {
        let scope = AccessScope(repositories: "team/**", actions: [.read])
        let (record, secret) = try makeKey(scopes: [scope])
        let verified = try #require(try keys.verify(username: "alice", secret: secret))
        #expect(verified.id == record.id)
        #expect(verified.groups == ["dev"])
        #expect(verified.scopes == [scope])
    }

    @Test("Updating groups replaces them on every key of the owner and on no one else's")
    func groupsAreRefreshedPerOwner() throws {
        let (_, first) = try makeKey(owner: "alice")
        let (_, second) = try makeKey(owner: "alice", label: "laptop")
        let (_, other) = try makeKey(owner: "bob")
        #expect(try keys.updateGroups(owner: "alice", groups: ["ops", "audit"]) == 2)
        #expect(try keys.verify(username: "alice", secret: first)?.groups == ["ops", "audit"])
        #expect(try keys.verify(username: "alice", secret: second)?.groups == ["ops", "audit"])
        #expect(try keys.verify(username: "bob", secret: other)?.groups == ["dev"])
        #expect(try keys.updateGroups(owner: "alice", groups: []) == 2)
        #expect(try keys.verify(username: "alice", secret: first)?.groups == [])
        #expect(try keys.updateGroups(owner: "nobody", groups: ["ops"]) == 0)
    }

    @Test("A key presented under another user name, a wrong key or a malformed key does not verify")
    func wrongOwnerOrKeyFails() throws {
        let (_, secret) = try makeKey(owner: "alice")
        _ = try makeKey(owner: "bob")
        #expect(try keys.verify(username: "bob", secret: secret) == nil)
        #expect(try keys.verify(username: "ALICE", secret: secret) == nil)
        let wrong = "zak_" + String(repeating: "0", count: 64)
        #expect(try keys.verify(username: "alice", secret: wrong) == nil)
        #expect(try keys.verify(username: "alice", secret: secret.uppercased()) == nil)
        #expect(try keys.verify(username: "alice", secret: secret + "0") == nil)
        #expect(try keys.verify(username: "alice", secret: "password") == nil)
    }

    @Test("An expired key no longer verifies but is still listed")
    func expiredKeyFails() throws {
        let (record, secret) = try makeKey(expiresAt: clock.now().addingTimeInterval(3600))
        #expect(try keys.verify(username: "alice", secret: secret) != nil)
        clock.advance(by: 3600)
        #expect(try keys.verify(username: "alice", secret: secret) == nil)
        #expect(try keys.list(owner: "alice").map(\.id) == [record.id])
    }

    @Test("A revoked key no longer verifies, and only its owner can revoke it")
    func revokedKeyFails() throws {
        let (record, secret) = try makeKey()
        #expect(try keys.revoke(id: record.id, owner: "bob") == false)
        #expect(try keys.verify(username: "alice", secret: secret) != nil)
        #expect(try keys.revoke(id: record.id, owner: "alice") == true)
        #expect(try keys.verify(username: "alice", secret: secret) == nil)
        #expect(try keys.revoke(id: record.id, owner: "alice") == false)
    }

    @Test("revokeAll removes every key of the owner and no one else's")
    func revokeAllRemovesOwnersKeys() throws {
        let (_, first) = try makeKey()
        let (_, second) = try makeKey(label: "laptop")
        let (_, bobs) = try makeKey(owner: "bob")
        #expect(try keys.revokeAll(owner: "alice") == 2)
        #expect(try keys.verify(username: "alice", secret: first) == nil)
        #expect(try keys.verify(username: "alice", secret: second) == nil)
        #expect(try keys.verify(username: "bob", secret: bobs) != nil)
        #expect(try keys.list(owner: "alice").isEmpty)
        #expect(try keys.revokeAll(owner: "alice") == 0)
    }

    @Test("list returns the owner's keys oldest first and no record carries a secret or hash")
    func listHasNoSecrets() throws {
        let (first, firstSecret) = try makeKey(label: "first")
        clock.advance(by: 1)
        let (second, secondSecret) = try makeKey(label: "second")
        _ = try makeKey(owner: "bob")
        let listed = try keys.list(owner: "alice")
        #expect(listed.map(\.id) == [first.id, second.id])
        #expect(listed == [first, second])
        let json = String(decoding: try JSONEncoder().encode(listed), as: UTF8.self)
        for secret in [firstSecret, secondSecret] {
            #expect(!json.contains(String(secret.dropFirst(4))))
            #expect(!json.contains(SecretMaterial.hex(SecretMaterial.sha256(secret))))
        }
    }

    @Test("Use is recorded in lastUsedAt at most once a minute")
    func lastUsedIsRecordedAndThrottled() throws {
        let (record, secret) = try makeKey()
        #expect(record.lastUsedAt == nil)
        let firstUse = clock.now()
        #expect(try keys.verify(username: "alice", secret: secret)?.lastUsedAt == firstUse)
        #expect(try keys.list(owner: "alice").first?.lastUsedAt == firstUse)
        clock.advance(by: 30)
        #expect(try keys.verify(username: "alice", secret: secret)?.lastUsedAt == firstUse)
        #expect(try keys.list(owner: "alice").first?.lastUsedAt == firstUse)
        clock.advance(by: 31)
        let laterUse = clock.now()
        #expect(try keys.verify(username: "alice", secret: secret)?.lastUsedAt == laterUse)
        #expect(try keys.list(owner: "alice").first?.lastUsedAt == laterUse)
    }

    @Test("A maximum lifetime rejects longer expiries and clamps a missing expiry by default")
    func maximumLifetimeIsEnforced() throws {
        let limited = APIKeyStore(store: metadata, maximumLifetime: 86_400, clock: clock.now)
        let now = clock.now()
        #expect(throws: APIKeyError.lifetimeTooLong(maximumSeconds: 86_400)) {
            try limited.create(owner: "alice", groups: [], label: "x", expiresAt: now.addingTimeInterval(86_401), scopes: [])
        }
        let exact = try limited.create(owner: "alice", groups: [], label: "x", expiresAt: now.addingTimeInterval(86_400), scopes: [])
        #expect(exact.record.expiresAt == now.addingTimeInterval(86_400))
        let clamped = try limited.create(owner: "alice", groups: [], label: "x", expiresAt: nil, scopes: [])
        #expect(clamped.record.expiresAt == now.addingTimeInterval(86_400))
        clock.advance(by: 86_400)
        #expect(try limited.verify(username: "alice", secret: clamped.secret) == nil)
    }

    @Test("With the reject policy a missing expiry is an error when a maximum is set")
    func missingExpiryCanBeRejected() throws {
        let strict = APIKeyStore(store: metadata, maximumLifetime: 3600, missingExpiry: .reject, clock: clock.now)
        #expect(throws: APIKeyError.expiryRequired) {
            try strict.create(owner: "alice", groups: [], label: "x", expiresAt: nil, scopes: [])
        }
        let unlimited = try keys.create(owner: "alice", groups: [], label: "x", expiresAt: nil, scopes: [])
        #expect(unlimited.record.expiresAt == nil)
    }

    @Test("An expiry that is not in the future is rejected")
    func pastExpiryIsRejected() {
        #expect(throws: APIKeyError.expiryInPast) { try makeKey(expiresAt: clock.now()) }
        #expect(throws: APIKeyError.expiryInPast) { try makeKey(expiresAt: clock.now().addingTimeInterval(-1)) }
    }

    @Test("Labels must be 1 to 100 printable characters")
    func labelsAreValidated() throws {
        #expect(throws: APIKeyError.invalidLabel("the label is empty")) { try makeKey(label: "") }
        #expect(throws: APIKeyError.self) { try makeKey(label: String(repeating: "a", count: 101)) }
        #expect(throws: APIKeyError.self) { try makeKey(label: "line\nbreak") }
        #expect(throws: APIKeyError.self) { try makeKey(label: "bell\u{7}") }
        #expect(throws: APIKeyError.self) { try makeKey(label: "   ") }
        #expect(try makeKey(label: String(repeating: "é", count: 100)).record.label.count == 100)
        #expect(try makeKey(label: "CI key: build #4 (prod)").record.label == "CI key: build #4 (prod)")
    }

    @Test("Scopes need a non-empty glob without whitespace and at least one action")
    func scopesAreValidated() throws {
        #expect(throws: APIKeyError.self) { try makeKey(scopes: [AccessScope(repositories: "", actions: [.read])]) }
        #expect(throws: APIKeyError.self) { try makeKey(scopes: [AccessScope(repositories: "a b", actions: [.read])]) }
        #expect(throws: APIKeyError.self) { try makeKey(scopes: [AccessScope(repositories: "a\t", actions: [.read])]) }
        #expect(throws: APIKeyError.self) { try makeKey(scopes: [AccessScope(repositories: "team/**", actions: [])]) }
        let valid = [AccessScope(repositories: "team/**", actions: [.read, .create])]
        #expect(try makeKey(scopes: valid).record.scopes == valid)
    }

    @Test("A storage failure surfaces as an error, not as a missing key")
    func storageFailureThrows() throws {
        let (_, secret) = try makeKey()
        try metadata.execute("DROP TABLE api_keys")
        #expect(throws: MetadataStoreError.self) { try keys.verify(username: "alice", secret: secret) }
        #expect(throws: APIKeyError.self) { try makeKey() }
    }
}
