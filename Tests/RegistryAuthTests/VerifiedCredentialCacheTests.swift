import NIOCore
import RegistryAuth
import RegistryAuthCore
import Testing

@Suite("Verified credential cache")
struct VerifiedCredentialCacheTests {
    @Test("an entry is found until its TTL has passed")
    func expiry() {
        let clock = ManualClock()
        let cache = VerifiedCredentialCache(ttl: .seconds(60), now: clock.now)
        let key = cache.key(username: "alice", password: "pw")
        cache.insert(key, generation: cache.generation)
        clock.advance(by: .seconds(59))
        #expect(cache.contains(key))
        clock.advance(by: .seconds(1))
        #expect(!cache.contains(key))
    }

    @Test("keys separate user from password and depend on both")
    func keysAreDistinct() {
        let cache = VerifiedCredentialCache()
        #expect(cache.key(username: "ab", password: "c") != cache.key(username: "a", password: "bc"))
        #expect(cache.key(username: "a", password: "b") == cache.key(username: "a", password: "b"))
        #expect(cache.key(username: "a", password: "b") != cache.key(username: "a", password: "B"))
    }

    @Test("two caches (two processes) derive different keys for the same credentials")
    func keysArePerInstance() {
        #expect(VerifiedCredentialCache().key(username: "a", password: "b")
            != VerifiedCredentialCache().key(username: "a", password: "b"))
    }

    @Test("the cache never holds more than its capacity, evicting the oldest entries")
    func capacity() {
        let clock = ManualClock()
        let cache = VerifiedCredentialCache(ttl: .seconds(60), capacity: 3, now: clock.now)
        let keys = (0..<5).map { cache.key(username: "user\($0)", password: "pw") }
        for key in keys {
            cache.insert(key, generation: cache.generation)
            clock.advance(by: .milliseconds(1))
        }
        #expect(cache.count == 3)
        #expect(!cache.contains(keys[0]) && !cache.contains(keys[1]))
        #expect(cache.contains(keys[2]) && cache.contains(keys[3]) && cache.contains(keys[4]))
    }

    @Test("expired entries are swept before live ones are evicted")
    func sweepBeforeEvict() {
        let clock = ManualClock()
        let cache = VerifiedCredentialCache(ttl: .seconds(10), capacity: 2, now: clock.now)
        let old = cache.key(username: "old", password: "pw")
        let live = cache.key(username: "live", password: "pw")
        let new = cache.key(username: "new", password: "pw")
        cache.insert(old, generation: cache.generation)
        clock.advance(by: .seconds(5))
        cache.insert(live, generation: cache.generation)
        clock.advance(by: .seconds(6))
        cache.insert(new, generation: cache.generation)
        #expect(cache.contains(live) && cache.contains(new))
        #expect(cache.count == 2)
    }

    @Test("invalidation empties the cache and refuses inserts from verifications that began before it")
    func invalidation() {
        let cache = VerifiedCredentialCache()
        let key = cache.key(username: "alice", password: "pw")
        let staleGeneration = cache.generation
        cache.insert(key, generation: staleGeneration)
        cache.invalidateAll()
        #expect(!cache.contains(key))
        cache.insert(key, generation: staleGeneration)
        #expect(!cache.contains(key))
        cache.insert(key, generation: cache.generation)
        #expect(cache.contains(key))
    }

    @Test("a cache with zero capacity stores nothing")
    func disabled() {
        let cache = VerifiedCredentialCache(capacity: 0)
        let key = cache.key(username: "a", password: "b")
        cache.insert(key, generation: cache.generation)
        #expect(!cache.contains(key))
    }
}
