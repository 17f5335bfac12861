import Foundation
import GRDB
import RegistryCore
import RegistryStorage

/// The dedupe index of one store (`scope`) in the metadata database, as Zot keeps its digest → paths cache in the
/// storage root: it survives restarts, and is rebuilt by a scan when its scope row is missing.
public struct SQLiteDedupeIndexStore: DedupeIndexStore {
    /// The database.
    public let store: MetadataStore
    /// Which store's index this is (`storage`, `storage.subPaths./a`).
    public let scope: String

    /// The index of `scope` in `store`.
    public init(store: MetadataStore, scope: String) {
        self.store = store
        self.scope = scope
    }

    public func isBuilt() async throws -> Bool { try store.isIndexBuilt(.dedupe, scope: scope) }

    public func markBuilt(adding entries: [(Digest, StoragePath)]) async throws {
        try store.write("build dedupe index") { db in
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO dedupe_paths (scope, digest, path) VALUES (?, ?, ?)")
            for (digest, path) in entries {
                try insert.execute(arguments: [scope, digest.description, path.value])
            }
            try MetadataStore.markIndexBuilt(.dedupe, scope: scope, in: db)
        }
    }

    public func paths(for digest: Digest) async throws -> [StoragePath] {
        let values = try store.read("read dedupe index") { db in
            try String.fetchAll(db, sql: "SELECT path FROM dedupe_paths WHERE scope = ? AND digest = ? ORDER BY path",
                                arguments: [scope, digest.description])
        }
        return values.compactMap { try? StoragePath($0) }
    }

    public func add(_ digest: Digest, _ path: StoragePath) async throws {
        try store.write("update dedupe index") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO dedupe_paths (scope, digest, path) VALUES (?, ?, ?)",
                           arguments: [scope, digest.description, path.value])
        }
    }

    public func remove(_ digest: Digest, _ path: StoragePath) async throws {
        try store.write("update dedupe index") { db in
            try db.execute(sql: "DELETE FROM dedupe_paths WHERE scope = ? AND digest = ? AND path = ?",
                           arguments: [scope, digest.description, path.value])
        }
    }
}
