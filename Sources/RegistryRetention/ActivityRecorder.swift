import Foundation
import RegistryCore
import Synchronization

/// Keeps push/pull events off the request path: recording is an in-memory append under a lock (pulls of the same
/// manifest and tag coalesce to the latest), and a background task writes the buffer to the ``ActivityStore``
/// every `interval`, when it holds `flushThreshold` entries, and at shutdown (``flush()``). A manifest GET never waits
/// for the database.
public final class ActivityRecorder: Sendable {
    /// Where events end up.
    public let store: any ActivityStore
    private let buffer = Mutex(Buffer())
    private let flushThreshold: Int
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    /// One flush at a time (a flush waits for the previous one), so events reach the store in order.
    private let flushing = FlushGate()

    private struct Buffer {
        var pushes: [ActivityEvent] = []
        var pulls: [PullKey: ActivityEvent] = [:]
        var count: Int { pushes.count + pulls.count }
    }

    private struct PullKey: Hashable {
        let repository: String
        let digest: Digest
        let tag: String?
    }

    /// A recorder writing to `store`.
    public init(store: any ActivityStore, flushThreshold: Int = 10_000) {
        self.store = store
        self.flushThreshold = flushThreshold
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A manifest stored (by tag or digest) by `user`.
    public func recordPush(repository: String, digest: Digest, tag: String?, user: String?, at time: Date = Date()) {
        let count = buffer.withLock { buffer in
            buffer.pushes.append(ActivityEvent(repository: repository, digest: digest, tag: tag, kind: .push(user: user), time: time))
            return buffer.count
        }
        if count >= flushThreshold { wake.yield() }
    }

    /// A tag (or, with `tag` nil, a manifest) deleted through the API: its recorded activity is forgotten.
    public func recordDelete(repository: String, digest: Digest, tag: String?, at time: Date = Date()) {
        buffer.withLock { buffer in
            buffer.pushes.append(ActivityEvent(repository: repository, digest: digest, tag: tag, kind: .delete, time: time))
        }
    }

    /// A manifest served (GET, not HEAD, as Zot counts downloads).
    public func recordPull(repository: String, digest: Digest, tag: String?, at time: Date = Date()) {
        let key = PullKey(repository: repository, digest: digest, tag: tag)
        let count = buffer.withLock { buffer in
            buffer.pulls[key] = ActivityEvent(repository: repository, digest: digest, tag: tag, kind: .pull, time: time)
            return buffer.count
        }
        if count >= flushThreshold { wake.yield() }
    }

    /// Events not yet written.
    public var pendingCount: Int { buffer.withLock { $0.count } }

    /// Writes everything buffered so far. On a store failure the events are put back for the next flush.
    public func flush() async throws {
        try await flushing.run { [self] in
            let (pushes, pulls) = buffer.withLock { buffer in
                let taken = (buffer.pushes, Array(buffer.pulls.values))
                buffer = Buffer()
                return taken
            }
            // In time order, so a pull before a delete does not bring the deleted tag back.
            let events = (pushes + pulls).enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            guard !events.isEmpty else { return }
            do {
                try await store.record(events)
            } catch {
                buffer.withLock { buffer in
                    buffer.pushes = pushes + buffer.pushes
                    for pull in pulls {
                        let key = PullKey(repository: pull.repository, digest: pull.digest, tag: pull.tag)
                        if buffer.pulls[key] == nil { buffer.pulls[key] = pull }
                    }
                }
                throw error
            }
        }
    }

    /// Flushes every `interval` seconds (or sooner when the buffer fills) until cancelled; `onError` hears failures.
    public func run(every interval: TimeInterval, onError: @escaping @Sendable (any Error) -> Void) -> Task<Void, Never> {
        let wakes = wakes
        let ticker = Task.detached { [wake] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                wake.yield()
            }
        }
        return Task.detached { [self] in
            for await _ in wakes {
                if Task.isCancelled { break }
                do { try await flush() } catch { onError(error) }
            }
            ticker.cancel()
        }
    }
}

/// Serialises async sections.
actor FlushGate {
    private var running = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run(_ body: @Sendable () async throws -> Void) async throws {
        while running { await withCheckedContinuation { waiters.append($0) } }
        running = true
        defer {
            running = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        try await body()
    }
}
