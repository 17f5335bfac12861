/// One run of a piece of work per key however many callers ask at once; the others await the same result.
/// The work runs in its own task, so a client that disconnects does not cancel it for the others.
actor SingleFlight {
    private var running: [String: Task<Bool, any Error>] = [:]

    func run(_ key: String, _ work: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        if let task = running[key] { return try await task.value }
        let task = Task { try await work() }
        running[key] = task
        defer { running[key] = nil }
        return try await task.value
    }

    /// Starts the work unless it runs already; returns its task and whether this call started it.
    func start(_ key: String, _ work: @escaping @Sendable () async throws -> Bool) -> (task: Task<Bool, any Error>, started: Bool) {
        if let task = running[key] { return (task, false) }
        let task = Task { try await work() }
        running[key] = task
        Task { _ = try? await task.value; self.finish(key, task) }
        return (task, true)
    }

    private func finish(_ key: String, _ task: Task<Bool, any Error>) {
        if running[key] == task { running[key] = nil }
    }

    /// Keys in flight (tests).
    var count: Int { running.count }
}

/// Bounds the bytes that in-flight upstream downloads hold (`maxDownloadBytes`).
actor ByteBudget {
    private let limit: Int64
    private var used: Int64 = 0
    private var waiters: [(Int64, CheckedContinuation<Void, Never>)] = []

    init(limit: Int64) { self.limit = max(1, limit) }

    /// Waits until `bytes` fit; a request larger than the whole budget is refused.
    func reserve(_ bytes: Int64) async throws {
        guard bytes <= limit else { throw UpstreamError.rejected("\(bytes) bytes exceed maxDownloadBytes (\(limit))") }
        if used + bytes <= limit && waiters.isEmpty {
            used += bytes
            return
        }
        await withCheckedContinuation { waiters.append((bytes, $0)) }
    }

    func release(_ bytes: Int64) {
        used -= bytes
        while let (next, continuation) = waiters.first, used + next <= limit {
            waiters.removeFirst()
            used += next
            continuation.resume()
        }
    }

    var inUse: Int64 { used }
}
