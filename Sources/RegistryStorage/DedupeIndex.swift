/// Zot's dedupe cache: digest → the paths that hold it. Built by scanning the layout the first
/// time it is needed (so it is never stale after a restart) and kept in step by the registry
/// logic; every path is re-checked by the driver before use, so a stale entry costs a retry only.
actor DedupeIndex {
    private var paths: [Digest: Set<StoragePath>] = [:]
    private var built = false

    func paths(for digest: Digest, scan: @Sendable () async -> [(Digest, StoragePath)]) async -> [StoragePath] {
        if !built {
            built = true
            for (found, path) in await scan() { paths[found, default: []].insert(path) }
        }
        return (paths[digest] ?? []).sorted()
    }

    func add(_ digest: Digest, _ path: StoragePath) {
        guard built else { return }
        paths[digest, default: []].insert(path)
    }

    func remove(_ digest: Digest, _ path: StoragePath) {
        paths[digest]?.remove(path)
        if paths[digest]?.isEmpty == true { paths[digest] = nil }
    }

    /// Forgets everything under `directory` (a deleted repository).
    func removeAll(under directory: StoragePath) {
        for (digest, set) in paths {
            let kept = set.filter { !$0.isWithin(directory) }
            paths[digest] = kept.isEmpty ? nil : kept
        }
    }
}

import RegistryCore
