import NIOCore
import RegistryAuth
import RegistryAuthCore
import Testing

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test("a client gets a burst equal to the rate, then waits 1/rate seconds per token")
    func burstThenRefill() throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(globalRate: 2, now: clock.now)
        #expect(limiter.check(client: "10.0.0.1", method: "GET") == .allowed)
        #expect(limiter.check(client: "10.0.0.1", method: "GET") == .allowed)
        #expect(limiter.check(client: "10.0.0.1", method: "GET") == .limited(retryAfter: 0.5))
        clock.advance(by: .milliseconds(250))
        #expect(limiter.check(client: "10.0.0.1", method: "GET") == .limited(retryAfter: 0.25))
        clock.advance(by: .milliseconds(250))
        #expect(limiter.check(client: "10.0.0.1", method: "GET") == .allowed)
    }

    @Test("a rate below one still allows a burst of one")
    func fractionalRate() throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(globalRate: 0.5, now: clock.now)
        #expect(limiter.check(client: "c", method: "GET") == .allowed)
        let decision = limiter.check(client: "c", method: "GET")
        #expect(decision == .limited(retryAfter: 2))
        #expect(decision.retryAfterHeaderSeconds == 2)
    }

    @Test("clients have separate buckets")
    func perClient() throws {
        let limiter = try RateLimiter(globalRate: 1, now: ManualClock().now)
        #expect(limiter.check(client: "a", method: "GET") == .allowed)
        #expect(limiter.check(client: "a", method: "GET") != .allowed)
        #expect(limiter.check(client: "b", method: "GET") == .allowed)
    }

    @Test("a method rate limits only that method, case-insensitively")
    func methodRate() throws {
        let limiter = try RateLimiter(globalRate: nil, methodRates: ["put": 1], now: ManualClock().now)
        #expect(limiter.check(client: "a", method: "PUT") == .allowed)
        #expect(limiter.check(client: "a", method: "put") == .limited(retryAfter: 1))
        for _ in 0..<100 { #expect(limiter.check(client: "a", method: "GET") == .allowed) }
    }

    @Test("a refused request takes no token from the other buckets")
    func refusalCostsNothing() throws {
        let limiter = try RateLimiter(globalRate: 3, methodRates: ["PUT": 1], now: ManualClock().now)
        #expect(limiter.check(client: "a", method: "PUT") == .allowed)
        #expect(limiter.check(client: "a", method: "PUT") != .allowed)
        #expect(limiter.check(client: "a", method: "PUT") != .allowed)
        #expect(limiter.check(client: "a", method: "GET") == .allowed)
        #expect(limiter.check(client: "a", method: "GET") == .allowed)
        #expect(limiter.check(client: "a", method: "GET") != .allowed)
    }

    @Test("the longest wait among the applicable buckets is reported")
    func longestWait() throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(globalRate: 4, methodRates: ["DELETE": 0.25], now: clock.now)
        #expect(limiter.check(client: "a", method: "DELETE") == .allowed)
        #expect(limiter.check(client: "a", method: "DELETE") == .limited(retryAfter: 4))
    }

    @Test("no configured limit allows everything without keeping buckets")
    func disabled() throws {
        let limiter = try RateLimiter(globalRate: nil)
        #expect(!limiter.isEnabled)
        #expect(limiter.check(client: "a", method: "GET") == .allowed)
        #expect(limiter.bucketCount == 0)
    }

    @Test("idle buckets that have refilled are swept on a later access")
    func idleExpiry() throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(globalRate: 1, sweepInterval: .seconds(10), now: clock.now)
        for client in 0..<50 { _ = limiter.check(client: "client\(client)", method: "GET") }
        #expect(limiter.bucketCount == 50)
        clock.advance(by: .seconds(11))
        _ = limiter.check(client: "newcomer", method: "GET")
        #expect(limiter.bucketCount == 1)
    }

    @Test("a bucket still refilling survives the sweep")
    func busyBucketKept() throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(globalRate: 0.05, sweepInterval: .seconds(10), now: clock.now)
        _ = limiter.check(client: "slow", method: "GET")
        clock.advance(by: .seconds(11))
        _ = limiter.check(client: "other", method: "GET")
        #expect(limiter.bucketCount == 2)
        #expect(limiter.check(client: "slow", method: "GET") != .allowed)
    }

    @Test("the number of buckets is capped")
    func bucketCap() throws {
        let limiter = try RateLimiter(globalRate: 1, maxBuckets: 100, now: ManualClock().now)
        for client in 0..<1_000 { _ = limiter.check(client: "c\(client)", method: "GET") }
        #expect(limiter.bucketCount <= 100)
        #expect(limiter.bucketCount > 0)
    }

    @Test("non-positive or non-finite rates are configuration errors", arguments: [0.0, -1.0, .infinity, .nan])
    func invalidRates(rate: Double) {
        #expect(throws: RateLimiterConfigurationError.self) { try RateLimiter(globalRate: rate) }
        #expect(throws: RateLimiterConfigurationError.self) { try RateLimiter(globalRate: nil, methodRates: ["GET": rate]) }
    }
}
