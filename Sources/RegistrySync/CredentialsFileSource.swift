import Foundation
import Logging
import RegistryCore
import Synchronization

/// The sync `credentialsFile`, re-read when its modification time or size changes (checked at most once a second).
/// A file that becomes unreadable or malformed keeps the last good logins and logs why, without any secret.
public final class CredentialsFileSource: Sendable {
    private struct State {
        var credentials = UpstreamCredentials()
        var stamp: (Date, Int)?
        var checkedAt = Date.distantPast
    }

    private let path: String?
    private let logger: Logger
    private let state = Mutex(State())

    public init(path: String?, logger: Logger) {
        self.path = path
        self.logger = logger
        _ = current()
    }

    /// The logins now in force.
    public func current(now: Date = Date()) -> UpstreamCredentials {
        guard let path else { return UpstreamCredentials() }
        let due = state.withLock { state -> Bool in
            guard now.timeIntervalSince(state.checkedAt) >= 1 else { return false }
            state.checkedAt = now
            return true
        }
        if due { reloadIfChanged(path) }
        return state.withLock { $0.credentials }
    }

    /// Forces the next ``current(now:)`` to look at the file.
    public func invalidate() {
        state.withLock { $0.checkedAt = .distantPast }
    }

    private func reloadIfChanged(_ path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date,
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            logger.warning("sync credentials file is not readable; keeping the last logins", metadata: ["path": "\(path)"])
            return
        }
        let unchanged = state.withLock { state in state.stamp.map { $0.0 == modified && $0.1 == size } ?? false }
        guard !unchanged else { return }
        guard let data = FileManager.default.contents(atPath: path) else { return }
        do {
            let parsed = try UpstreamCredentials.parse(Array(data))
            let first = state.withLock { state -> Bool in
                let first = state.stamp == nil
                state.credentials = parsed
                state.stamp = (modified, size)
                return first
            }
            if !first {
                logger.info("sync credentials file reloaded", metadata: ["path": "\(path)", "hosts": "\(parsed.logins.count)"])
            }
        } catch {
            // Remember the broken version so it is reported once, not every second.
            state.withLock { $0.stamp = (modified, size) }
            logger.error("sync credentials file is invalid; keeping the last logins",
                         metadata: ["path": "\(path)", "reason": "\(error.reason)"])
        }
    }
}
