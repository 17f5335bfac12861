import Foundation
import Synchronization

/// When this process last placed each blob file (upload finished, mount, dedupe link). A hard link keeps the
/// modification time of the content it shares, so a blob linked a second ago can look a year old; GC measures a
/// blob's age from the later of its modification time and this record, so `gcDelay` protects every fresh blob.
final class RecentBlobs: Sendable {
    private let placed = Mutex<[StoragePath: Date]>([:])

    /// Notes that `path` was just placed.
    func touch(_ path: StoragePath, at time: Date = Date()) {
        placed.withLock { $0[path] = time }
    }

    /// When `path` was last placed by this process, if it was.
    func placedAt(_ path: StoragePath) -> Date? {
        placed.withLock { $0[path] }
    }

    /// Forgets records older than `age` seconds (they no longer protect anything).
    func prune(olderThan age: TimeInterval, now: Date = Date()) {
        placed.withLock { records in records = records.filter { now.timeIntervalSince($0.value) < age } }
    }
}
