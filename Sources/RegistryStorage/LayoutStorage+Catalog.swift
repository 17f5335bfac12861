import RegistryCore

extension LayoutStorage {
    /// Up to `limit` repository names after `after`, sorted, from the repository index: O(page), whatever the number
    /// of repositories. The first call after a start with an unbuilt index reconciles it with the layout once.
    public func catalogPage(after: String?, limit: Int) async throws -> [String] {
        try await repositoryIndex.ensureBuilt { try await self.reconcileRepositoryIndex() }
        return try await repositoryIndex.store.names(after: after, limit: limit)
    }

    /// Brings the repository index in line with the layout: repositories written into the root while the server was
    /// stopped (or by hand) are added, vanished ones dropped, and the index is marked built. Safe while pushes run:
    /// nothing is replaced wholesale, and a name the scan did not see is removed only if it is not a repository now.
    public func reconcileRepositoryIndex() async throws {
        let found = try await catalog()
        let store = repositoryIndex.store
        var indexed: [String] = []
        var cursor: String?
        while true {
            let page = try await store.names(after: cursor, limit: 1000)
            indexed.append(contentsOf: page)
            guard page.count == 1000, let last = page.last else { break }
            cursor = last
        }
        let present = Set(found)
        try await store.add(Array(present.subtracting(indexed)))
        var vanished: [String] = []
        for name in Set(indexed).subtracting(present) {
            let directory = try RepositoryName(name).map { try StorageLayout.repository($0) }
            if let directory, try await isRepository(directory) { continue }
            vanished.append(name)
        }
        try await store.remove(vanished)
        try await store.markBuilt()
        await repositoryIndex.markReady()
    }

    /// Records a new repository in the index (a failure only delays it until the next reconciliation).
    func indexRepository(_ repository: RepositoryName) async {
        try? await repositoryIndex.store.add([repository.value])
    }
}

/// The repository index of one store and whether this process has seen it built.
actor RepositoryIndex {
    nonisolated let store: any RepositoryIndexStore
    private var ready = false

    init(store: any RepositoryIndexStore) { self.store = store }

    func markReady() { ready = true }

    /// Runs `build` (once, when the stored index was never built) before the first listing.
    func ensureBuilt(_ build: @Sendable () async throws -> Void) async throws {
        guard !ready else { return }
        if try await !store.isBuilt() { try await build() }
        ready = true
    }
}
