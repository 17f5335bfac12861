import Foundation
import RegistryCore
import Synchronization

/// Counts the blob upload sessions that are open, per user and per repository, and refuses new ones past a cap
/// (429 `TOOMANYREQUESTS`), so abandoned `POST …/blobs/uploads/` cannot pile up without bound.
///
/// Fed by the upload handlers: ``open(_:repository:user:)`` when a session starts, ``close(_:repository:)`` when it
/// completes or is cancelled. A session that is never completed stops counting after `abandonAfter` (the GC's
/// `gcDelay`, after which its files are removed too). Anonymous callers are counted per client address. After a
/// restart the count starts empty (sessions from before are only removed by the GC).
final class OpenUploadSessions: Sendable {
    /// The most open sessions one user (or anonymous address) may hold.
    let perUser: Int
    /// The most open sessions one repository may hold.
    let perRepository: Int
    /// Seconds after which a session that was never completed no longer counts.
    let abandonAfter: TimeInterval

    private let now: @Sendable () -> Date
    private let state = Mutex<[String: Session]>([:])

    private struct Session {
        let user: String
        let repository: String
        let started: Date
    }

    init(perUser: Int = 128, perRepository: Int = 256, abandonAfter: TimeInterval = 3600,
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.perUser = max(1, perUser)
        self.perRepository = max(1, perRepository)
        self.abandonAfter = abandonAfter
        self.now = now
    }

    /// The counting key of a caller: the user name, or the client address for anonymous requests.
    static func owner(_ identity: Identity, clientAddress: String) -> String {
        identity.username.map { "user:" + $0 } ?? "anonymous:" + clientAddress
    }

    /// Throws 429 when `user` or `repository` already holds its maximum of open sessions.
    func checkCapacity(repository: String, user: String) throws {
        let current = now()
        let (ofUser, ofRepository) = state.withLock { sessions -> (Int, Int) in
            expire(&sessions, now: current)
            var ofUser = 0, ofRepository = 0
            for session in sessions.values {
                if session.user == user { ofUser += 1 }
                if session.repository == repository { ofRepository += 1 }
            }
            return (ofUser, ofRepository)
        }
        let shownUser = user.hasPrefix("user:") ? "user \(user.dropFirst(5))" : "this client"
        if ofUser >= perUser {
            throw Self.refusal("\(shownUser) already has \(ofUser) open blob uploads (limit \(perUser)): finish or cancel some first")
        }
        if ofRepository >= perRepository {
            throw Self.refusal("\(repository) already has \(ofRepository) open blob uploads (limit \(perRepository)): finish or cancel some first")
        }
    }

    /// Records a started session.
    func open(_ id: String, repository: String, user: String) {
        let session = Session(user: user, repository: repository, started: now())
        state.withLock { $0[Self.key(repository, id)] = session }
    }

    /// Forgets a session that completed or was cancelled.
    func close(_ id: String, repository: String) {
        _ = state.withLock { $0.removeValue(forKey: Self.key(repository, id)) }
    }

    /// The number of sessions counted (for tests).
    var count: Int { state.withLock { $0.count } }

    private static func key(_ repository: String, _ id: String) -> String { repository + "\u{0}" + id }

    private func expire(_ sessions: inout [String: Session], now: Date) {
        let limit = abandonAfter
        sessions = sessions.filter { now.timeIntervalSince($0.value.started) < limit }
    }

    private static func refusal(_ message: String) -> RegistryHTTPError {
        RegistryHTTPError(RegistryError(.tooManyRequests, message: message, detail: "open upload session limit"),
                          headers: [.retryAfterHeader: "60"])
    }
}
