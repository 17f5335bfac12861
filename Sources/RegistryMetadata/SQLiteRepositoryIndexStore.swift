import Foundation
import GRDB
import RegistryStorage

/// The repository index of one store (`scope`) in the metadata database: a page of `_catalog` is one range read on the
/// primary key (`scope, name`), whatever the number of repositories.
public struct SQLiteRepositoryIndexStore: RepositoryIndexStore {
    /// The database.
    public let store: MetadataStore
    /// Which store's index this is (`storage`, `storage.subPaths./a`).
    public let scope: String

    /// The index of `scope` in `store`.
    public init(store: MetadataStore, scope: String) {
        self.store = store
        self.scope = scope
    }

    public func isBuilt() async throws -> Bool { try store.isIndexBuilt(.repositories, scope: scope) }

    public func markBuilt() async throws {
        try store.write("mark repository index built") { db in try MetadataStore.markIndexBuilt(.repositories, scope: scope, in: db) }
    }

    public func add(_ names: [String]) async throws {
        guard !names.isEmpty else { return }
        try store.write("update repository index") { db in
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO repositories (scope, name) VALUES (?, ?)")
            for name in names { try insert.execute(arguments: [scope, name]) }
        }
    }

    public func remove(_ names: [String]) async throws {
        guard !names.isEmpty else { return }
        try store.write("update repository index") { db in
            let delete = try db.makeStatement(sql: "DELETE FROM repositories WHERE scope = ? AND name = ?")
            for name in names { try delete.execute(arguments: [scope, name]) }
        }
    }

    public func names(after: String?, limit: Int) async throws -> [String] {
        try store.read("read repository index") { db in
            if let after {
                return try String.fetchAll(db, sql: "SELECT name FROM repositories WHERE scope = ? AND name > ? ORDER BY name LIMIT ?",
                                           arguments: [scope, after, max(0, limit)])
            }
            return try String.fetchAll(db, sql: "SELECT name FROM repositories WHERE scope = ? ORDER BY name LIMIT ?",
                                       arguments: [scope, max(0, limit)])
        }
    }
}
