import NIOCore
import Synchronization

/// A per-user-name budget of failed logins, whatever address they come from (brute force across many addresses).
///
/// Each name attempted with wrong credentials — known or unknown, so the budget reveals nothing about which
/// names exist — spends one unit of a bucket holding `burst` units that refills one unit every `refillInterval`.
/// While a name's bucket is empty, further attempts for it are refused without checking the password
/// (``retryAfter(for:)``), until the next unit refills: throttling, never a lockout, so an attacker slows guesses
/// for a name to one per `refillInterval` but cannot keep its owner out longer than that after stopping.
/// A successful login clears the name's failures. Memory is bounded: beyond `maxNames`, the least recently
/// touched names are forgotten (which only ever makes the budget more lenient for them).
public final class LoginFailureBudget: Sendable {
    /// Failures allowed in a row before attempts are throttled.
    public let burst: Int
    /// How long one failure takes to be forgiven.
    public let refillInterval: Double
    /// The most names remembered.
    public let maxNames: Int

    private let now: @Sendable () -> NIODeadline
    private let state: Mutex<[String: Entry]>

    private struct Entry {
        /// Failures still allowed (fractional while refilling).
        var remaining: Double
        var updated: NIODeadline
    }

    /// Creates a budget (defaults: 20 failures, then one attempt every 15 s, for up to 10,000 names).
    public init(burst: Int = 20, refillInterval: Double = 15, maxNames: Int = 10_000,
                now: @escaping @Sendable () -> NIODeadline = { .now() }) {
        self.burst = max(1, burst)
        self.refillInterval = refillInterval > 0 ? refillInterval : 15
        self.maxNames = max(1, maxNames)
        self.now = now
        self.state = Mutex([:])
    }

    /// Seconds until `name` may be tried again, or `nil` when an attempt may go ahead now.
    public func retryAfter(for name: String) -> Double? {
        let key = Self.key(name)
        let current = now()
        return state.withLock { entries -> Double? in
            guard var entry = entries[key] else { return nil }
            refill(&entry, now: current)
            entries[key] = entry
            return entry.remaining >= 1 ? nil : (1 - entry.remaining) * refillInterval
        }
    }

    /// Spends one unit of `name`'s budget after a failed attempt.
    public func recordFailure(for name: String) {
        let key = Self.key(name)
        let current = now()
        state.withLock { entries in
            var entry = entries[key] ?? Entry(remaining: Double(burst), updated: current)
            refill(&entry, now: current)
            entry.remaining = max(0, entry.remaining - 1)
            entries[key] = entry
            evictIfOverCapacity(&entries)
        }
    }

    /// Forgets `name`'s failures after a successful login.
    public func recordSuccess(for name: String) {
        let key = Self.key(name)
        _ = state.withLock { entries in entries.removeValue(forKey: key) }
    }

    /// The number of names remembered (for tests).
    public var nameCount: Int { state.withLock { $0.count } }

    /// Names differing only in case or surrounding spaces share a budget (directories compare them so).
    private static func key(_ name: String) -> String {
        String(name.trimmingPrefixAndSuffix(" ").lowercased().prefix(256))
    }

    private func refill(_ entry: inout Entry, now: NIODeadline) {
        guard now > entry.updated else { return }
        let elapsed = Double((now - entry.updated).nanoseconds) / 1e9
        entry.remaining = min(Double(burst), entry.remaining + elapsed / refillInterval)
        entry.updated = now
    }

    /// Drops fully refilled names first, then the least recently touched tenth.
    private func evictIfOverCapacity(_ entries: inout [String: Entry]) {
        guard entries.count > maxNames else { return }
        let current = now()
        let full = Double(burst)
        entries = entries.filter { _, entry in
            entry.remaining + Double(max(0, (current - entry.updated).nanoseconds)) / 1e9 / refillInterval < full
        }
        guard entries.count > maxNames else { return }
        let dropCount = max(entries.count - maxNames, maxNames / 10)
        for (key, _) in entries.sorted(by: { $0.value.updated < $1.value.updated }).prefix(dropCount) {
            entries[key] = nil
        }
    }
}

private extension String {
    func trimmingPrefixAndSuffix(_ character: Character) -> Substring {
        var text = self[...]
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return text
    }
}
