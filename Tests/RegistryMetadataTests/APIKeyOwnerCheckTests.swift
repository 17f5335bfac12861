import Foundation
import RegistryAuthCore
import RegistryCore
@testable import RegistryMetadata
import Testing

/// A directory that knows a fixed set of users, or is down.
struct FixedDirectory: AccountDirectory {
    let accountMethod: Identity.Method
    let users: Set<String>
    var down = false

    func accountExists(_ username: String) async throws(AuthenticationFailure) -> Bool {
        if down { throw .backendUnavailable("directory down") }
        return users.contains(username)
    }
}

@Suite("APIKeyOwnerCheck: keys of deprovisioned owners are refused")
struct APIKeyOwnerCheckTests {
    static func record(owner: String, source: String?) -> APIKeyRecord {
        APIKeyRecord(id: "id", owner: owner, label: "l", groups: [], scopes: [], createdAt: Date(), expiresAt: nil, lastUsedAt: nil,
                     ownerSource: source)
    }

    static let htpasswd = FixedDirectory(accountMethod: .htpasswd, users: ["alice"])
    static let ldap = FixedDirectory(accountMethod: .ldap, users: ["dora"])

    @Test("An htpasswd or LDAP owner must still exist in that very source")
    func sourceIsChecked() async throws {
        let check = APIKeyOwnerCheck(directories: [Self.htpasswd, Self.ldap], oidcLoginConfigured: true)
        #expect(try await check.ownerExists(Self.record(owner: "alice", source: "htpasswd")))
        #expect(try await !check.ownerExists(Self.record(owner: "bob", source: "htpasswd")))
        #expect(try await !check.ownerExists(Self.record(owner: "dora", source: "htpasswd")))
        #expect(try await check.ownerExists(Self.record(owner: "dora", source: "ldap")))
        #expect(try await !check.ownerExists(Self.record(owner: "erin", source: "ldap")))
    }

    @Test("A source that is no longer configured means the owner is gone")
    func removedSource() async throws {
        let check = APIKeyOwnerCheck(directories: [Self.htpasswd], oidcLoginConfigured: false)
        #expect(try await !check.ownerExists(Self.record(owner: "dora", source: "ldap")))
    }

    @Test("OIDC owners cannot be looked up and keep their keys")
    func oidcOwners() async throws {
        let check = APIKeyOwnerCheck(directories: [Self.htpasswd], oidcLoginConfigured: true)
        #expect(try await check.ownerExists(Self.record(owner: "carol", source: "oidc-session")))
    }

    @Test("A key of unknown source needs its owner in some directory, unless OIDC logins exist")
    func legacyKeys() async throws {
        let strict = APIKeyOwnerCheck(directories: [Self.htpasswd, Self.ldap], oidcLoginConfigured: false)
        #expect(try await strict.ownerExists(Self.record(owner: "dora", source: nil)))
        #expect(try await !strict.ownerExists(Self.record(owner: "gone", source: nil)))
        let withOIDC = APIKeyOwnerCheck(directories: [Self.htpasswd], oidcLoginConfigured: true)
        #expect(try await withOIDC.ownerExists(Self.record(owner: "gone", source: nil)))
    }

    @Test("A directory that cannot answer makes the check fail as unavailable, not pass")
    func directoryDown() async throws {
        var down = Self.ldap
        down.down = true
        let check = APIKeyOwnerCheck(directories: [down], oidcLoginConfigured: false)
        await #expect(throws: AuthenticationFailure.self) { try await check.ownerExists(Self.record(owner: "dora", source: "ldap")) }
    }
}
