import GRDB

/// The tables of the metadata database, as GRDB migrations (append new migrations; never edit an applied one).
///
/// Dates are stored as `REAL` seconds since the reference date (2001-01-01), which round-trips a `Date` exactly.
enum MetadataSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-api-keys-and-sessions") { db in
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL,
                    label TEXT NOT NULL,
                    groups_json TEXT NOT NULL,
                    scopes_json TEXT NOT NULL,
                    secret_hash BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL,
                    last_used_at REAL
                );
                CREATE INDEX api_keys_by_owner ON api_keys(owner, created_at);
                CREATE TABLE browser_sessions (
                    id TEXT PRIMARY KEY NOT NULL,
                    token_hash BLOB NOT NULL UNIQUE,
                    username TEXT NOT NULL,
                    groups_json TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    csrf_token TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX browser_sessions_by_user ON browser_sessions(username);
                CREATE INDEX browser_sessions_by_expiry ON browser_sessions(expires_at);
                CREATE TABLE pending_logins (
                    state TEXT PRIMARY KEY NOT NULL,
                    nonce TEXT NOT NULL,
                    code_verifier TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    callback_ui TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX pending_logins_by_age ON pending_logins(created_at);
                """)
        }
        migrator.registerMigration("v2-pending-login-client-address") { db in
            try db.execute(sql: """
                ALTER TABLE pending_logins ADD COLUMN client_address TEXT;
                CREATE INDEX pending_logins_by_client ON pending_logins(client_address, created_at);
                """)
        }
        migrator.registerMigration("v3-api-key-owner-source") { db in
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN owner_source TEXT")
        }
        migrator.registerMigration("v4-refresh-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE refresh_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL,
                    groups_json TEXT NOT NULL,
                    owner_source TEXT NOT NULL,
                    client_id TEXT,
                    token_hash BLOB NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    last_used_at REAL
                );
                CREATE INDEX refresh_tokens_by_owner ON refresh_tokens(owner, created_at);
                """)
        }
        migrator.registerMigration("v5-dedupe-index") { db in
            // One index per store (`scope`: the main storage or a subPath route); a scope row means "built".
            try db.execute(sql: """
                CREATE TABLE dedupe_scopes (scope TEXT PRIMARY KEY, built_at REAL NOT NULL);
                CREATE TABLE dedupe_paths (
                    scope TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    path TEXT NOT NULL,
                    PRIMARY KEY (scope, digest, path)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v6-repository-index") { db in
            // The sorted repository names `_catalog` pages through, per store; a scope row means "built".
            try db.execute(sql: """
                CREATE TABLE repository_scopes (scope TEXT PRIMARY KEY, built_at REAL NOT NULL);
                CREATE TABLE repositories (
                    scope TEXT NOT NULL,
                    name TEXT NOT NULL,
                    PRIMARY KEY (scope, name)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v7-push-pull-activity") { db in
            // Retention's statistics: per manifest (first push, pusher, last pull) and per tag (when it was pointed at
            // `digest`, by whom, last pull by tag).
            try db.execute(sql: """
                CREATE TABLE manifest_activity (
                    repository TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    pushed_at REAL,
                    pushed_by TEXT,
                    pulled_at REAL,
                    PRIMARY KEY (repository, digest)
                ) WITHOUT ROWID;
                CREATE TABLE tag_activity (
                    repository TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    pushed_at REAL,
                    pushed_by TEXT,
                    pulled_at REAL,
                    PRIMARY KEY (repository, tag)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }()
}
