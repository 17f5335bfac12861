import Foundation
import GRDB
import RegistryCore
import RegistryRetention

/// Push/pull activity in the metadata database (tables `manifest_activity`, `tag_activity`), merged with the rules of
/// ``ActivityStore``; one transaction per batch the ``ActivityRecorder`` flushes.
public struct SQLiteActivityStore: ActivityStore {
    /// The database.
    public let store: MetadataStore

    /// Activity kept in `store`.
    public init(store: MetadataStore) {
        self.store = store
    }

    public func record(_ events: [ActivityEvent]) async throws {
        guard !events.isEmpty else { return }
        try store.write("record push/pull activity") { db in
            let pushManifest = try db.makeStatement(sql: """
                INSERT INTO manifest_activity (repository, digest, pushed_at, pushed_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (repository, digest) DO UPDATE SET
                    pushed_by = CASE WHEN pushed_at IS NULL THEN excluded.pushed_by ELSE pushed_by END,
                    pushed_at = COALESCE(pushed_at, excluded.pushed_at)
                """)
            let pushTag = try db.makeStatement(sql: """
                INSERT INTO tag_activity (repository, tag, digest, pushed_at, pushed_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (repository, tag) DO UPDATE SET
                    pushed_at = CASE WHEN digest = excluded.digest AND pushed_at IS NOT NULL THEN pushed_at ELSE excluded.pushed_at END,
                    pushed_by = CASE WHEN digest = excluded.digest AND pushed_at IS NOT NULL THEN pushed_by ELSE excluded.pushed_by END,
                    pulled_at = CASE WHEN digest = excluded.digest AND pushed_at IS NOT NULL THEN pulled_at ELSE NULL END,
                    digest = excluded.digest
                """)
            let pullManifest = try db.makeStatement(sql: """
                INSERT INTO manifest_activity (repository, digest, pulled_at) VALUES (?, ?, ?)
                ON CONFLICT (repository, digest) DO UPDATE SET pulled_at = MAX(COALESCE(pulled_at, excluded.pulled_at), excluded.pulled_at)
                """)
            let pullTag = try db.makeStatement(sql: """
                INSERT INTO tag_activity (repository, tag, digest, pulled_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (repository, tag) DO UPDATE SET pulled_at = MAX(COALESCE(pulled_at, excluded.pulled_at), excluded.pulled_at)
                """)
            for event in events {
                let time = event.time.timeIntervalSinceReferenceDate
                let digest = event.digest.description
                switch event.kind {
                case .push(let user):
                    try pushManifest.execute(arguments: [event.repository, digest, time, user])
                    if let tag = event.tag { try pushTag.execute(arguments: [event.repository, tag, digest, time, user]) }
                case .pull:
                    try pullManifest.execute(arguments: [event.repository, digest, time])
                    if let tag = event.tag { try pullTag.execute(arguments: [event.repository, tag, digest, time]) }
                case .delete:
                    if let tag = event.tag {
                        try db.execute(sql: "DELETE FROM tag_activity WHERE repository = ? AND tag = ?", arguments: [event.repository, tag])
                    } else {
                        try db.execute(sql: "DELETE FROM manifest_activity WHERE repository = ? AND digest = ?", arguments: [event.repository, digest])
                        try db.execute(sql: "DELETE FROM tag_activity WHERE repository = ? AND digest = ?", arguments: [event.repository, digest])
                    }
                }
            }
        }
    }

    public func activity(of repository: String) async throws -> RepositoryActivity {
        try store.read("read push/pull activity") { db in
            var activity = RepositoryActivity()
            for row in try Row.fetchAll(db, sql: "SELECT digest, pushed_at, pushed_by, pulled_at FROM manifest_activity WHERE repository = ?",
                                        arguments: [repository]) {
                guard let digest = Digest(row["digest"] as String) else { continue }
                activity.manifests[digest] = Self.activity(row)
            }
            for row in try Row.fetchAll(db, sql: "SELECT tag, digest, pushed_at, pushed_by, pulled_at FROM tag_activity WHERE repository = ?",
                                        arguments: [repository]) {
                guard let digest = Digest(row["digest"] as String) else { continue }
                let tag: String = row["tag"]
                activity.tags[tag] = Self.activity(row)
                activity.tagDigests[tag] = digest
            }
            return activity
        }
    }

    public func forget(repository: String, tags: [String], digests: [Digest]) async throws {
        guard !tags.isEmpty || !digests.isEmpty else { return }
        try store.write("forget push/pull activity") { db in
            for tag in tags {
                try db.execute(sql: "DELETE FROM tag_activity WHERE repository = ? AND tag = ?", arguments: [repository, tag])
            }
            for digest in digests {
                try db.execute(sql: "DELETE FROM manifest_activity WHERE repository = ? AND digest = ?", arguments: [repository, digest.description])
            }
        }
    }

    private static func activity(_ row: Row) -> Activity {
        Activity(pushedAt: (row["pushed_at"] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)),
                 pushedBy: row["pushed_by"],
                 pulledAt: (row["pulled_at"] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)))
    }
}
