import NIOCore
import Synchronization

/// The answer of ``RateLimiter/check(client:method:)``.
public enum RateLimitDecision: Sendable, Hashable {
    /// The request may proceed (a token was taken).
    case allowed
    /// The request must be refused; the client may retry after this many seconds.
    case limited(retryAfter: Double)

    /// The `Retry-After` header value: whole seconds, rounded up, at least 1. `nil` when allowed.
    public var retryAfterHeaderSeconds: Int? {
        guard case .limited(let seconds) = self else { return nil }
        return max(1, Int(seconds.rounded(.up)))
    }
}

/// The rate limiter's configuration is unusable.
public enum RateLimiterConfigurationError: Error, Sendable, Hashable {
    /// A rate is zero, negative or not finite.
    case invalidRate(scope: String, rate: Double)
}

/// Token-bucket rate limiting per client (Zot's `http.ratelimit`: a global `rate` plus per-method `rate`s).
///
/// Each client (an IP address or a user name; the caller chooses the key) has one bucket for the global rate
/// and one per configured method. A request must find a token in every bucket that applies to it; tokens are
/// taken only when all of them have one, so a refused request costs nothing. Burst = rate (at least 1).
///
/// Memory is bounded: a bucket that has refilled completely is equivalent to a fresh one and is dropped by a
/// sweep that runs on access at most once per `sweepInterval`; beyond `maxBuckets`, the least recently used
/// buckets are dropped (which only ever makes the limiter more lenient for those clients).
public final class RateLimiter: Sendable {
    /// Requests per second per client across all methods; `nil` for none.
    public let globalRate: Double?
    /// Requests per second per client for specific methods (upper-cased method names).
    public let methodRates: [String: Double]
    /// The maximum number of buckets kept.
    public let maxBuckets: Int

    private let sweepInterval: TimeAmount
    private let now: @Sendable () -> NIODeadline
    private let state: Mutex<State>

    private struct BucketKey: Hashable {
        let client: String
        /// `nil` for the global bucket.
        let method: String?
    }

    private struct State {
        var buckets: [BucketKey: TokenBucket] = [:]
        var lastSweep: NIODeadline
    }

    /// Creates a limiter. Throws when a rate is not a positive finite number.
    public init(
        globalRate: Double?,
        methodRates: [String: Double] = [:],
        maxBuckets: Int = 100_000,
        sweepInterval: TimeAmount = .seconds(10),
        now: @escaping @Sendable () -> NIODeadline = { .now() }
    ) throws(RateLimiterConfigurationError) {
        if let globalRate, !(globalRate.isFinite && globalRate > 0) {
            throw .invalidRate(scope: "global", rate: globalRate)
        }
        var normalized: [String: Double] = [:]
        for (method, rate) in methodRates {
            guard rate.isFinite, rate > 0 else { throw .invalidRate(scope: method, rate: rate) }
            normalized[method.uppercased()] = rate
        }
        self.globalRate = globalRate
        self.methodRates = normalized
        self.maxBuckets = max(1, maxBuckets)
        self.sweepInterval = sweepInterval
        self.now = now
        self.state = Mutex(State(lastSweep: now()))
    }

    /// Whether any limit is configured.
    public var isEnabled: Bool { globalRate != nil || !methodRates.isEmpty }

    /// Decides whether `client` may make a `method` request now, taking a token when it may.
    public func check(client: String, method: String) -> RateLimitDecision {
        let upperMethod = method.uppercased()
        var applicable: [(key: BucketKey, rate: Double)] = []
        if let globalRate { applicable.append((BucketKey(client: client, method: nil), globalRate)) }
        if let methodRate = methodRates[upperMethod] {
            applicable.append((BucketKey(client: client, method: upperMethod), methodRate))
        }
        guard !applicable.isEmpty else { return .allowed }

        let current = now()
        return state.withLock { state in
            sweepIfDue(&state, now: current)
            var wait = 0.0
            for (key, rate) in applicable {
                var bucket = state.buckets[key] ?? TokenBucket(rate: rate, now: current)
                bucket.refill(now: current)
                state.buckets[key] = bucket
                wait = max(wait, bucket.secondsUntilToken)
            }
            defer { evictIfOverCapacity(&state) }
            guard wait == 0 else { return .limited(retryAfter: wait) }
            for (key, _) in applicable { state.buckets[key]?.take() }
            return .allowed
        }
    }

    /// The number of buckets held (for tests and metrics).
    public var bucketCount: Int { state.withLock { $0.buckets.count } }

    private func sweepIfDue(_ state: inout State, now: NIODeadline) {
        guard now - state.lastSweep >= sweepInterval else { return }
        state.lastSweep = now
        state.buckets = state.buckets.filter { !$0.value.isFull(at: now) }
    }

    /// Drops the least recently used tenth of the buckets once there are more than `maxBuckets`.
    private func evictIfOverCapacity(_ state: inout State) {
        guard state.buckets.count > maxBuckets else { return }
        let excess = state.buckets.count - maxBuckets
        let dropCount = max(excess, maxBuckets / 10)
        let oldest = state.buckets.sorted { $0.value.updated < $1.value.updated }.prefix(dropCount)
        for (key, _) in oldest { state.buckets[key] = nil }
    }
}
