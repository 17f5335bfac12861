import RegistryCore
import RegistryStorage
import RegistrySync
import Synchronization

/// The sync extension as the server holds it, replaceable by a config reload: the on-demand source the handlers
/// ask (forwarded; nothing is covered without one) and the periodic mirror's task. A reload that edits
/// `extensions.sync` builds new upstream clients and mappings, swaps the on-demand source (requests in flight finish
/// on the old one) and restarts the periodic mirror.
final class SyncControl: PullThroughSource {
    private struct State: Sendable {
        var onDemand: OnDemandSync?
        var periodic: PeriodicSync?
        var task: Task<Void, Never>?
        var running = false
    }

    private let state: Mutex<State>

    init(onDemand: OnDemandSync?, periodic: PeriodicSync?) {
        state = Mutex(State(onDemand: onDemand, periodic: periodic))
    }

    private var onDemand: OnDemandSync? { state.withLock { $0.onDemand } }

    /// Takes new services; the periodic mirror restarts when the control is running.
    func replace(onDemand: OnDemandSync?, periodic: PeriodicSync?) {
        let old = state.withLock { state -> Task<Void, Never>? in
            let old = state.task
            state.onDemand = onDemand
            state.periodic = periodic
            state.task = state.running ? periodic.map { periodic in Task.detached(priority: .background) { await periodic.run() } } : nil
            return old
        }
        old?.cancel()
    }

    /// Runs the periodic mirror (and its replacements) until cancelled.
    func runPeriodic() async {
        state.withLock { state in
            state.running = true
            state.task = state.periodic.map { periodic in Task.detached(priority: .background) { await periodic.run() } }
        }
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        let task = state.withLock { state -> Task<Void, Never>? in
            state.running = false
            defer { state.task = nil }
            return state.task
        }
        task?.cancel()
    }

    // MARK: PullThroughSource, forwarded

    func covers(_ repository: RepositoryName) -> Bool { onDemand?.covers(repository) ?? false }

    func fetchManifest(_ repository: RepositoryName, _ reference: Reference, requester: Identity) async throws -> Bool {
        try await onDemand?.fetchManifest(repository, reference, requester: requester) ?? false
    }

    func refreshTag(_ repository: RepositoryName, _ tag: String, requester: Identity) async {
        await onDemand?.refreshTag(repository, tag, requester: requester)
    }

    func fetchBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> Bool {
        try await onDemand?.fetchBlob(repository, digest, requester: requester) ?? false
    }

    func streamBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> StreamingBlob? {
        try await onDemand?.streamBlob(repository, digest, requester: requester)
    }

    func fetchReferrers(_ repository: RepositoryName, _ subject: Digest, requester: Identity) async {
        await onDemand?.fetchReferrers(repository, subject, requester: requester)
    }

    func noteCacheHit(_ repository: RepositoryName) { onDemand?.noteCacheHit(repository) }
}
