import NIOCore
import Synchronization

/// Remembers, for a bounded time and number of names, whether a directory had an account.
final class AccountExistenceCache: Sendable {
    private let ttl: TimeAmount
    private let capacity: Int
    private let now: @Sendable () -> NIODeadline
    private let entries = Mutex<[String: (exists: Bool, until: NIODeadline)]>([:])

    init(ttl: TimeAmount, capacity: Int = 10_000, now: @escaping @Sendable () -> NIODeadline) {
        self.ttl = ttl
        self.capacity = capacity
        self.now = now
    }

    /// The remembered answer for `username`, or `nil` when none is fresh.
    func lookup(_ username: String) -> Bool? {
        let current = now()
        return entries.withLock { entries in
            guard let entry = entries[username] else { return nil }
            guard entry.until > current else {
                entries[username] = nil
                return nil
            }
            return entry.exists
        }
    }

    /// Remembers `exists` for `username`; when full, drops the expired entries, then everything.
    func insert(_ username: String, exists: Bool) {
        guard ttl > .zero else { return }
        let current = now()
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.until > current }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[username] = (exists, current + ttl)
        }
    }
}
