import RegistryCore

/// Where a store's dedupe index (digest → the blob paths holding it, Zot's `cache.db`) is kept: in memory for tests
/// and tools, in the metadata database for a server (so a restart does not rescan the whole root).
///
/// Entries are hints: every path is checked by the driver before it is used, so a stale one costs a retry only and a
/// missing one costs a copy instead of a link.
public protocol DedupeIndexStore: Sendable {
    /// Whether the index was built (by a scan) for this store; `false` makes the first use rebuild it.
    func isBuilt() async throws -> Bool
    /// Adds a scan's `entries` to what is recorded (entries added meanwhile by pushes are kept) and marks it built.
    func markBuilt(adding entries: [(Digest, StoragePath)]) async throws
    /// The paths recorded for `digest`, sorted.
    func paths(for digest: Digest) async throws -> [StoragePath]
    /// Records that `path` holds `digest`.
    func add(_ digest: Digest, _ path: StoragePath) async throws
    /// Forgets that `path` holds `digest`.
    func remove(_ digest: Digest, _ path: StoragePath) async throws
}

/// A ``DedupeIndexStore`` in memory: built by a scan at the first use after every start.
public actor InMemoryDedupeIndexStore: DedupeIndexStore {
    private var paths: [Digest: Set<StoragePath>] = [:]
    private var built = false

    /// An empty, unbuilt index.
    public init() {}

    public func isBuilt() -> Bool { built }

    public func markBuilt(adding entries: [(Digest, StoragePath)]) {
        for (digest, path) in entries { paths[digest, default: []].insert(path) }
        built = true
    }

    public func paths(for digest: Digest) -> [StoragePath] { (paths[digest] ?? []).sorted() }

    public func add(_ digest: Digest, _ path: StoragePath) { paths[digest, default: []].insert(path) }

    public func remove(_ digest: Digest, _ path: StoragePath) {
        paths[digest]?.remove(path)
        if paths[digest]?.isEmpty == true { paths[digest] = nil }
    }

}
