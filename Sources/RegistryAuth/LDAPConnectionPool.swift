import NIOCore
import Synchronization

/// At most ``maxConnections`` directory connections, lent to one job at a time.
///
/// ``acquire()`` reserves a slot and hands out an idle connection when there is one (`nil` means "open a new
/// one"); ``release(_:)`` returns the slot and keeps the connection for reuse unless it is `nil` (the job
/// discarded a broken one). When every slot is taken, callers queue in arrival order and give up with
/// ``LDAPPoolTimeout`` after ``waitTimeout``, so a stuck directory can never make requests pile up forever.
final class LDAPConnectionPool: Sendable {
    /// The maximum number of connections (and of concurrent directory jobs).
    let maxConnections: Int
    /// How long a caller waits for a free slot.
    let waitTimeout: TimeAmount

    private let state = Mutex(State())

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<LDAPConnection?, any Error>
    }

    private struct State {
        var slotsInUse = 0
        var idle: [LDAPConnection] = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    private enum Reservation {
        case granted(LDAPConnection?)
        case queued
    }

    /// Creates an empty pool.
    init(maxConnections: Int = 4, waitTimeout: TimeAmount = .seconds(5)) {
        self.maxConnections = max(1, maxConnections)
        self.waitTimeout = waitTimeout
    }

    /// Reserves a slot; returns an idle connection or `nil` (the caller opens one). Must be balanced by exactly
    /// one ``release(_:)``.
    func acquire() async throws(LDAPPoolTimeout) -> LDAPConnection? {
        if case .granted(let connection) = state.withLock({ Self.reserve(&$0, max: maxConnections) }) {
            return connection
        }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let (reservation, id) = state.withLock { state -> (Reservation, UInt64) in
                    let reservation = Self.reserve(&state, max: maxConnections)
                    guard case .queued = reservation else { return (reservation, 0) }
                    let id = state.nextWaiterID
                    state.nextWaiterID += 1
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return (.queued, id)
                }
                switch reservation {
                case .granted(let connection):
                    continuation.resume(returning: connection)
                case .queued:
                    let timeout = waitTimeout
                    Task { [weak self] in
                        try? await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                        self?.expireWaiter(id)
                    }
                }
            }
        } catch {
            throw LDAPPoolTimeout(waited: waitTimeout)
        }
    }

    /// Returns a slot; `connection` (if any) is kept for the next caller.
    func release(_ connection: LDAPConnection?) {
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty {
                return state.waiters.removeFirst()  // the slot passes straight to the next caller
            }
            state.slotsInUse -= 1
            if let connection { state.idle.append(connection) }
            return nil
        }
        waiter?.continuation.resume(returning: connection)
    }

    /// The number of slots currently lent out.
    var slotsInUse: Int { state.withLock { $0.slotsInUse } }

    /// The number of idle connections kept for reuse.
    var idleCount: Int { state.withLock { $0.idle.count } }

    private static func reserve(_ state: inout State, max: Int) -> Reservation {
        guard state.waiters.isEmpty, state.slotsInUse < max else { return .queued }
        state.slotsInUse += 1
        return .granted(state.idle.popLast())
    }

    private func expireWaiter(_ id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: LDAPPoolTimeout(waited: waitTimeout))
    }
}

/// No connection slot became free in time.
struct LDAPPoolTimeout: Error, Sendable, CustomStringConvertible {
    let waited: TimeAmount

    var description: String { "no LDAP connection became free within \(Double(waited.nanoseconds) / 1e9) s" }
}
