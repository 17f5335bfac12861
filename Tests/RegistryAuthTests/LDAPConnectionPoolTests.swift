import NIOCore
@testable import RegistryAuth
import Testing

@Suite("LDAP connection pool and login cache")
struct LDAPConnectionPoolTests {
    private func unopenedConnection() throws -> LDAPConnection {
        // ldap_initialize does not connect, so this needs no directory.
        try LDAPConnection.open(LDAPEndpoint(address: "127.0.0.1", port: 1, transport: .plain))
    }

    @Test("a released connection is lent to the next caller")
    func reuse() async throws {
        let pool = LDAPConnectionPool(maxConnections: 2)
        #expect(try await pool.acquire() == nil)
        let connection = try unopenedConnection()
        pool.release(connection)
        #expect(pool.idleCount == 1)
        #expect(try await pool.acquire() === connection)
        pool.release(nil)
        #expect(pool.slotsInUse == 0)
        #expect(pool.idleCount == 0)
    }

    @Test("when every slot is taken, a waiter gets the next released slot")
    func waiterGetsReleasedSlot() async throws {
        let pool = LDAPConnectionPool(maxConnections: 1, waitTimeout: .seconds(5))
        _ = try await pool.acquire()
        let connection = try unopenedConnection()
        async let waiter = pool.acquire()
        try await Task.sleep(for: .milliseconds(50))
        pool.release(connection)
        #expect(try await waiter === connection)
        #expect(pool.slotsInUse == 1)
    }

    @Test("a waiter gives up after the wait timeout and the slot count stays right")
    func waiterTimesOut() async throws {
        let pool = LDAPConnectionPool(maxConnections: 1, waitTimeout: .milliseconds(100))
        _ = try await pool.acquire()
        await #expect(throws: LDAPPoolTimeout.self) { try await pool.acquire() }
        pool.release(nil)
        #expect(pool.slotsInUse == 0)
        #expect(try await pool.acquire() == nil)
    }

    @Test("a cached login keeps its groups and expires after the TTL")
    func cacheExpiry() {
        let clock = ManualClock()
        let cache = LDAPBindCache(ttl: .seconds(60), now: clock.now)
        let key = cache.key(username: "alice", password: "pw")
        #expect(cache.key(username: "alice", password: "other") != key)
        cache.insert(key, username: "alice", groups: ["cn=devs,dc=x", "devs"], generation: cache.generation)
        #expect(cache.lookup(key)?.groups == ["cn=devs,dc=x", "devs"])
        clock.advance(by: .seconds(61))
        #expect(cache.lookup(key) == nil)
    }

    @Test("an insert that started before an invalidation is dropped")
    func staleInsert() {
        let cache = LDAPBindCache()
        let key = cache.key(username: "alice", password: "pw")
        let generation = cache.generation
        cache.invalidateAll()
        cache.insert(key, username: "alice", groups: [], generation: generation)
        #expect(cache.lookup(key) == nil)
    }

    @Test("the cache never grows beyond its capacity")
    func capacity() {
        let cache = LDAPBindCache(capacity: 20)
        for index in 0..<100 {
            cache.insert(cache.key(username: "u\(index)", password: "p"), username: "u\(index)", groups: [], generation: cache.generation)
        }
        #expect(cache.count <= 20)
        #expect(cache.lookup(cache.key(username: "u99", password: "p"))?.username == "u99")
    }
}
