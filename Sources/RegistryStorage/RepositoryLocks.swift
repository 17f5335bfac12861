/// Async mutual exclusion per repository: `index.json` read-modify-write cycles of one
/// repository run one at a time (waiters queue in order); different repositories never wait on
/// each other. Nothing blocks a thread while waiting.
actor RepositoryLocks {
    private var held: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Told, after each release, the time from asking for the lock until releasing it (waiting plus holding).
    private let observer: (@Sendable (Duration) -> Void)?

    init(observer: (@Sendable (Duration) -> Void)? = nil) {
        self.observer = observer
    }

    /// Runs `body` while holding the lock for `key`.
    func withLock<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        await acquire(key)
        do {
            let result = try await body()
            release(key)
            observer?(start.duration(to: .now))
            return result
        } catch {
            release(key)
            observer?(start.duration(to: .now))
            throw error
        }
    }

    private func acquire(_ key: String) async {
        if !held.contains(key) {
            held.insert(key)
            return
        }
        await withCheckedContinuation { continuation in
            waiters[key, default: []].append(continuation)
        }
    }

    private func release(_ key: String) {
        if var queue = waiters[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[key] = queue.isEmpty ? nil : queue
            next.resume()  // ownership passes to the next waiter
        } else {
            held.remove(key)
        }
    }
}
