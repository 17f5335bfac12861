import Foundation
import GRDB

extension MetadataStore {
    /// Whether the index kept in `table` (a `scope, built_at` table) was built for `scope`.
    func isIndexBuilt(_ table: IndexScopeTable, scope: String) throws -> Bool {
        try read("read \(table.rawValue)") { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table.rawValue) WHERE scope = ?", arguments: [scope]) ?? false
        }
    }

    /// Marks the index kept in `table` built for `scope`, inside an open write transaction.
    static func markIndexBuilt(_ table: IndexScopeTable, scope: String, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO \(table.rawValue) (scope, built_at) VALUES (?, ?)",
                       arguments: [scope, Date().timeIntervalSince1970])
    }
}

/// The tables recording which stores' indexes were built by a scan.
enum IndexScopeTable: String {
    case dedupe = "dedupe_scopes"
    case repositories = "repository_scopes"
}
