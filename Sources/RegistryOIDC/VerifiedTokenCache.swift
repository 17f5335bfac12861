import Crypto
import Foundation
import Synchronization

/// Registry tokens already verified, so a client reusing its token for every request pays for one signature check,
/// not one per request. Keyed by the token's SHA-256 (the token itself is never kept); an entry is used only before
/// the token's `exp` (no leeway), and the cache is bounded — when full, expired entries go, then everything.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let claims: RegistryTokenVerifier.Claims
        let expiresAt: Double
    }

    private let entries = Mutex<[SHA256Digest: Entry]>([:])
    private let capacity: Int
    private let now: @Sendable () -> Date

    init(capacity: Int = 10_000, now: @escaping @Sendable () -> Date) {
        self.capacity = capacity
        self.now = now
    }

    /// The claims of `token` when it was verified before and has not expired.
    func claims(for token: String) -> RegistryTokenVerifier.Claims? {
        let key = SHA256.hash(data: Data(token.utf8))
        let current = now().timeIntervalSince1970
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard current < entry.expiresAt else {
                entries[key] = nil
                return nil
            }
            return entry.claims
        }
    }

    /// Remembers verified `claims` of `token` until `expiresAt` (seconds since 1970).
    func store(_ claims: RegistryTokenVerifier.Claims, for token: String, expiresAt: Double) {
        let key = SHA256.hash(data: Data(token.utf8))
        let current = now().timeIntervalSince1970
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > current }
                if entries.count >= capacity { entries.removeAll() }
            }
            entries[key] = Entry(claims: claims, expiresAt: expiresAt)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
