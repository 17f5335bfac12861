/// Where a store's repository index (the sorted names `_catalog` pages through) is kept: in memory for tests and
/// tools, in the metadata database for a server. The layout stays the truth: the index is rebuilt by a scan when it
/// was never built, and reconciled with the layout by a scan after every start (``LayoutStorage/reconcileRepositoryIndex()``).
public protocol RepositoryIndexStore: Sendable {
    /// Whether the index was built; `false` makes the first listing scan the layout.
    func isBuilt() async throws -> Bool
    /// Marks the index built (after a scan's names were added).
    func markBuilt() async throws
    /// Records repositories (already recorded ones are kept once).
    func add(_ names: [String]) async throws
    /// Forgets repositories.
    func remove(_ names: [String]) async throws
    /// Up to `limit` names sorted byte-wise, each greater than `after` when given.
    func names(after: String?, limit: Int) async throws -> [String]
}

/// A ``RepositoryIndexStore`` in memory: a sorted array, pages found by binary search.
public actor InMemoryRepositoryIndexStore: RepositoryIndexStore {
    private var sorted: [String] = []
    private var built = false

    /// An empty, unbuilt index.
    public init() {}

    public func isBuilt() -> Bool { built }

    public func markBuilt() { built = true }

    public func add(_ names: [String]) {
        if names.count > 64 {
            sorted = Array(Set(sorted).union(names)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return
        }
        for name in names {
            let position = firstIndex(after: name, inclusive: true)
            if position < sorted.count, sorted[position] == name { continue }
            sorted.insert(name, at: position)
        }
    }

    public func remove(_ names: [String]) {
        for name in names {
            let position = firstIndex(after: name, inclusive: true)
            if position < sorted.count, sorted[position] == name { sorted.remove(at: position) }
        }
    }

    public func names(after: String?, limit: Int) -> [String] {
        let start = after.map { firstIndex(after: $0, inclusive: false) } ?? 0
        return Array(sorted[start..<min(sorted.count, start + max(0, limit))])
    }

    /// The first position whose name is ≥ `name` (`inclusive`) or > `name`.
    private func firstIndex(after name: String, inclusive: Bool) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            let before = inclusive ? sorted[middle].utf8.lexicographicallyPrecedes(name.utf8)
                                   : !name.utf8.lexicographicallyPrecedes(sorted[middle].utf8)
            if before { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
