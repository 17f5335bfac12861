import Crypto
import Foundation
import NIOCore
import Synchronization

/// Remembers recently verified user/password pairs so repeat requests skip the expensive hash.
///
/// Keys are `HMAC-SHA256(process-random key, user + "\0" + password)`: the cache never holds a password or a
/// fast unsalted hash of one, and the key dies with the process. Only successful verifications are stored.
/// Entries expire after ``ttl``; the cache holds at most ``capacity`` entries (expired ones are swept first,
/// then the oldest are evicted). ``invalidateAll()`` bumps a generation so verifications that started before
/// an invalidation cannot repopulate the cache with stale results.
public final class VerifiedCredentialCache: Sendable {
    /// How long a verified credential is trusted without re-hashing.
    public let ttl: TimeAmount
    /// The maximum number of entries.
    public let capacity: Int

    private let macKey = SymmetricKey(size: .bits256)
    private let now: @Sendable () -> NIODeadline
    private let state = Mutex(State())

    private struct Entry {
        var expiry: NIODeadline
        var insertionStamp: UInt64
    }

    private struct State {
        var entries: [Data: Entry] = [:]
        /// Keys in insertion order (may contain stale keys whose stamp no longer matches); `head` is the oldest.
        var order: [(key: Data, stamp: UInt64)] = []
        var head = 0
        var nextStamp: UInt64 = 0
        var generation: UInt64 = 0
    }

    /// Creates an empty cache. `now` is injectable for tests.
    public init(ttl: TimeAmount = .seconds(60), capacity: Int = 10_000,
                now: @escaping @Sendable () -> NIODeadline = { .now() }) {
        self.ttl = ttl
        self.capacity = max(0, capacity)
        self.now = now
    }

    /// The cache key for a credential pair.
    public func key(username: String, password: String) -> Data {
        var message = Data(username.utf8)
        message.append(0)
        message.append(contentsOf: password.utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: macKey))
    }

    /// The current generation; pass it back to ``insert(_:generation:)``.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Whether `key` was verified recently and has not expired or been invalidated.
    public func contains(_ key: Data) -> Bool {
        let current = now()
        return state.withLock { state in
            guard let entry = state.entries[key] else { return false }
            if entry.expiry <= current {
                state.entries[key] = nil
                return false
            }
            return true
        }
    }

    /// Records a successful verification, unless the cache was invalidated since `generation` was read.
    public func insert(_ key: Data, generation: UInt64) {
        guard capacity > 0, ttl > .zero else { return }
        let current = now()
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries[key] == nil, state.entries.count >= capacity {
                Self.sweepExpired(&state, now: current)
                while state.entries.count >= capacity, state.head < state.order.count {
                    let oldest = state.order[state.head]
                    state.head += 1
                    if state.entries[oldest.key]?.insertionStamp == oldest.stamp { state.entries[oldest.key] = nil }
                }
            }
            let stamp = state.nextStamp
            state.nextStamp += 1
            state.entries[key] = Entry(expiry: current + ttl, insertionStamp: stamp)
            state.order.append((key, stamp))
            Self.compactOrderIfNeeded(&state)
        }
    }

    /// Drops every entry (called when the password file changes).
    public func invalidateAll() {
        state.withLock { state in
            state.generation += 1
            state.entries.removeAll()
            state.order.removeAll()
            state.head = 0
        }
    }

    /// The number of live (possibly expired but not yet swept) entries.
    public var count: Int { state.withLock { $0.entries.count } }

    private static func sweepExpired(_ state: inout State, now: NIODeadline) {
        state.entries = state.entries.filter { $0.value.expiry > now }
    }

    /// Drops order records that no longer refer to a live entry once they dominate the array.
    private static func compactOrderIfNeeded(_ state: inout State) {
        guard state.order.count > 64, state.order.count > 2 * state.entries.count else { return }
        let entries = state.entries
        state.order = state.order[state.head...].filter { entries[$0.key]?.insertionStamp == $0.stamp }
        state.head = 0
    }
}
