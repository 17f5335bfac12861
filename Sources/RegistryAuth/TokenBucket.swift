import NIOCore

/// A token bucket: holds up to `capacity` tokens, refilled continuously at `rate` tokens per second.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private(set) var tokens: Double
    private(set) var updated: NIODeadline

    /// A full bucket; capacity (burst) is the rate, at least 1.
    init(rate: Double, now: NIODeadline) {
        self.rate = rate
        self.capacity = max(1, rate)
        self.tokens = capacity
        self.updated = now
    }

    /// Adds the tokens earned since the last update.
    mutating func refill(now: NIODeadline) {
        guard now > updated else { return }
        let elapsed = Double((now - updated).nanoseconds) / 1e9
        tokens = min(capacity, tokens + elapsed * rate)
        updated = now
    }

    /// Seconds until one token is available (0 when one is available now). Call after ``refill(now:)``.
    var secondsUntilToken: Double {
        tokens >= 1 ? 0 : (1 - tokens) / rate
    }

    /// Takes one token. Call only when ``secondsUntilToken`` is 0.
    mutating func take() {
        tokens -= 1
    }

    /// Whether the bucket would be full at `now`, i.e. indistinguishable from a new bucket and safe to drop.
    func isFull(at now: NIODeadline) -> Bool {
        let elapsed = now > updated ? Double((now - updated).nanoseconds) / 1e9 : 0
        return tokens + elapsed * rate >= capacity
    }
}
