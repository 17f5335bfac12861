/// Bounds the requests to one upstream host: at most `concurrent` in flight (`reqConcurrent`) and, when set, at most
/// `perSecond` started per second (`reqPerSec`), spaced evenly.
actor RequestLimiter {
    private let concurrent: Int
    private let spacing: Duration?
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextStart = ContinuousClock.now

    init(concurrent: Int, perSecond: Double?) {
        self.concurrent = max(1, concurrent)
        self.spacing = perSecond.map { .seconds(1.0 / $0) }
    }

    /// Waits for a slot; pair with ``release()``.
    func acquire() async {
        if inFlight >= concurrent {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            inFlight += 1
        }
        if let spacing {
            let now = ContinuousClock.now
            let start = max(now, nextStart)
            nextStart = start + spacing
            if start > now { try? await Task.sleep(until: start, clock: .continuous) }
        }
    }

    /// Frees a slot, handing it to the longest waiter.
    func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Requests in flight now (for tests and metrics).
    var active: Int { inFlight }
}
