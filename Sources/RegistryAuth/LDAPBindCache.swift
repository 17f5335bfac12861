import Crypto
import Foundation
import NIOCore
import Synchronization

/// Remembers recent successful LDAP logins (user name, password) together with the identity they produced, so
/// repeat requests (a registry client sends Basic on every request) skip the directory for ``ttl``.
///
/// Keys are `HMAC-SHA256(process-random key, user + "\0" + password)`, as in ``VerifiedCredentialCache``,
/// which cannot carry the groups. Failures are never cached. At most ``capacity`` entries: expired ones are
/// swept first, then the tenth of entries closest to expiry is dropped.
final class LDAPBindCache: Sendable {
    /// How long a login is trusted without asking the directory again.
    let ttl: TimeAmount
    /// The maximum number of entries.
    let capacity: Int

    private let macKey = SymmetricKey(size: .bits256)
    private let now: @Sendable () -> NIODeadline
    private let state = Mutex(State())

    private struct Entry {
        var username: String
        var groups: [String]
        var expiry: NIODeadline
    }

    private struct State {
        var entries: [Data: Entry] = [:]
        var generation: UInt64 = 0
    }

    init(ttl: TimeAmount = .seconds(60), capacity: Int = 10_000, now: @escaping @Sendable () -> NIODeadline = { .now() }) {
        self.ttl = ttl
        self.capacity = max(0, capacity)
        self.now = now
    }

    /// The cache key for a credential pair.
    func key(username: String, password: String) -> Data {
        var message = Data(username.utf8)
        message.append(0)
        message.append(contentsOf: password.utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: macKey))
    }

    /// The current generation; pass it back to ``insert(_:username:groups:generation:)``.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// The canonical user name and groups of a recent login with these credentials, if still valid.
    func lookup(_ key: Data) -> (username: String, groups: [String])? {
        let current = now()
        return state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.expiry > current else {
                state.entries[key] = nil
                return nil
            }
            return (entry.username, entry.groups)
        }
    }

    /// Records a successful login, unless the cache was invalidated since `generation` was read.
    func insert(_ key: Data, username: String, groups: [String], generation: UInt64) {
        guard capacity > 0, ttl > .zero else { return }
        let current = now()
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries[key] == nil, state.entries.count >= capacity {
                state.entries = state.entries.filter { $0.value.expiry > current }
                if state.entries.count >= capacity {
                    let sooner = state.entries.sorted { $0.value.expiry < $1.value.expiry }
                    let surplus = max(state.entries.count - capacity + 1, capacity / 10)
                    for (staleKey, _) in sooner.prefix(surplus) { state.entries[staleKey] = nil }
                }
            }
            state.entries[key] = Entry(username: username, groups: groups, expiry: current + ttl)
        }
    }

    /// Forgets every login (e.g. when the service credentials change).
    func invalidateAll() {
        state.withLock { state in
            state.generation += 1
            state.entries.removeAll()
        }
    }

    /// The number of entries (expired ones included until swept).
    var count: Int { state.withLock { $0.entries.count } }
}
