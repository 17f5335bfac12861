import Foundation
import GRDB
import RegistryAuthCore

/// Browser sessions created by OIDC logins, and the logins in flight.
///
/// - The cookie value is 256 random bits (base64url). Only its hash is stored: HMAC-SHA256 under the pepper when
///   one is given (e.g. Zot's `sessionKeysFile` hash key, see ``SessionKeysFile``), plain SHA-256 otherwise. A
///   stolen database copy therefore yields no usable cookie; changing the pepper ends every session.
/// - Sessions live ``lifetime`` seconds from creation (no sliding renewal).
/// - Pending logins are single use and live ``pendingLoginLifetime``. Each client address keeps at most
///   ``maximumPendingLoginsPerAddress`` (its own oldest are dropped), so one address cannot push out the logins of
///   others; at most ``maximumPendingLogins`` are kept in all (the oldest dropped), so unauthenticated login starts
///   cannot grow the database without bound.
/// - Calls are synchronous; see ``MetadataStore``.
public final class SessionStore: Sendable {
    /// The name of the session cookie.
    public static let cookieName = "session"
    /// How long a pending login may wait for its callback.
    public static let pendingLoginLifetime: TimeInterval = 600
    /// The most pending logins kept at once.
    public static let maximumPendingLogins = 10_000
    /// The most pending logins one client address keeps at once (a person needs one or two).
    public static let maximumPendingLoginsPerAddress = 20
    /// The longest cookie value considered (ours are 43 characters); longer values are not looked up.
    static let maximumCookieLength = 128

    /// How long a session lasts from its creation.
    public let lifetime: TimeInterval

    private let store: MetadataStore
    private let pepper: [UInt8]?
    private let clock: @Sendable () -> Date

    /// Creates a session store over `store`.
    ///
    /// - Parameters:
    ///   - lifetime: session length in seconds (default 12 hours).
    ///   - pepper: a server-side secret mixed into cookie hashes; `nil` = plain SHA-256.
    ///   - clock: the wall clock (injectable for tests).
    public init(store: MetadataStore, lifetime: TimeInterval = 12 * 3600, pepper: [UInt8]? = nil,
                clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.lifetime = lifetime
        self.pepper = pepper
        self.clock = clock
    }

    /// Starts a session; returns it and the cookie value to send (the only time that value is available).
    public func create(username: String, groups: [String], provider: String) throws -> (session: BrowserSession, cookieValue: String) {
        let now = clock()
        let cookieValue = SecretMaterial.base64URL(SecretMaterial.randomBytes(32))
        let session = BrowserSession(
            id: UUID().uuidString.lowercased(), username: username, groups: groups, provider: provider,
            createdAt: now, expiresAt: now.addingTimeInterval(lifetime),
            csrfToken: SecretMaterial.base64URL(SecretMaterial.randomBytes(32))
        )
        let groupsJSON = try JSONColumn.encode(groups)
        let hash = hashCookie(cookieValue)
        try store.write("create session") { db in
            try db.execute(sql: """
                INSERT INTO browser_sessions (id, token_hash, username, groups_json, provider, csrf_token, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    session.id, Data(hash), username, groupsJSON, provider, session.csrfToken,
                    now.timeIntervalSinceReferenceDate, session.expiresAt.timeIntervalSinceReferenceDate,
                ])
        }
        return (session, cookieValue)
    }

    /// The live session identified by `cookieValue`, or `nil` (malformed, unknown, ended). An expired session is
    /// deleted when met.
    public func lookup(cookieValue: String) throws -> BrowserSession? {
        guard SecretMaterial.isBase64URL(cookieValue, maximumLength: Self.maximumCookieLength) else { return nil }
        let hash = hashCookie(cookieValue)
        let found = try store.read("look up session") { db -> (hash: [UInt8], session: BrowserSession)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM browser_sessions WHERE token_hash = ?",
                                             arguments: [Data(hash)]) else { return nil }
            return ([UInt8](try row.decode(Data.self, forColumn: "token_hash")), try Self.session(row))
        }
        guard let found, ConstantTime.equal(found.hash, hash) else { return nil }
        guard found.session.expiresAt > clock() else {
            try store.write("delete expired session") { db in
                try db.execute(sql: "DELETE FROM browser_sessions WHERE id = ?", arguments: [found.session.id])
            }
            return nil
        }
        return found.session
    }

    /// Ends the session identified by `cookieValue` (nothing happens when there is none).
    public func delete(cookieValue: String) throws {
        guard SecretMaterial.isBase64URL(cookieValue, maximumLength: Self.maximumCookieLength) else { return }
        let hash = hashCookie(cookieValue)
        try store.write("delete session") { db in
            try db.execute(sql: "DELETE FROM browser_sessions WHERE token_hash = ?", arguments: [Data(hash)])
        }
    }

    /// Ends every session of `username`; returns how many there were.
    @discardableResult
    public func deleteAll(username: String) throws -> Int {
        try store.write("delete sessions of a user") { db in
            try db.execute(sql: "DELETE FROM browser_sessions WHERE username = ?", arguments: [username])
            return db.changesCount
        }
    }

    /// Remembers `login` until its callback; drops stale pending logins, and the oldest ones beyond
    /// ``maximumPendingLogins``.
    ///
    /// - Throws: ``MetadataStoreError/operationFailed(operation:reason:)`` for an empty state, a state already
    ///   pending, or a database failure.
    public func savePendingLogin(_ login: PendingLogin) throws {
        guard !login.state.isEmpty else {
            throw MetadataStoreError.operationFailed(operation: "save pending login", reason: "the state is empty")
        }
        let staleBefore = clock().addingTimeInterval(-Self.pendingLoginLifetime).timeIntervalSinceReferenceDate
        try store.write("save pending login") { db in
            try db.execute(sql: """
                INSERT INTO pending_logins (state, nonce, code_verifier, provider, callback_ui, created_at, client_address)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [login.state, login.nonce, login.codeVerifier, login.provider, login.callbackUI,
                                 login.createdAt.timeIntervalSinceReferenceDate, login.clientAddress])
            try db.execute(sql: "DELETE FROM pending_logins WHERE created_at < ?", arguments: [staleBefore])
            if let address = login.clientAddress {
                let own = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_logins WHERE client_address = ?", arguments: [address]) ?? 0
                if own > Self.maximumPendingLoginsPerAddress {
                    try db.execute(sql: """
                        DELETE FROM pending_logins WHERE rowid IN (
                            SELECT rowid FROM pending_logins WHERE client_address = ? ORDER BY created_at, rowid LIMIT ?)
                        """, arguments: [address, own - Self.maximumPendingLoginsPerAddress])
                }
            }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_logins") ?? 0
            if count > Self.maximumPendingLogins {
                try db.execute(sql: """
                    DELETE FROM pending_logins WHERE rowid IN (
                        SELECT rowid FROM pending_logins ORDER BY created_at, rowid LIMIT ?)
                    """, arguments: [count - Self.maximumPendingLogins])
            }
        }
    }

    /// Removes and returns the pending login for `state`; `nil` when unknown, already taken, or older than
    /// ``pendingLoginLifetime``.
    public func takePendingLogin(state: String) throws -> PendingLogin? {
        let now = clock()
        let login = try store.write("take pending login") { db -> PendingLogin? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pending_logins WHERE state = ?", arguments: [state])
            else { return nil }
            try db.execute(sql: "DELETE FROM pending_logins WHERE state = ?", arguments: [state])
            return PendingLogin(
                state: try row.decode(String.self, forColumn: "state"),
                nonce: try row.decode(String.self, forColumn: "nonce"),
                codeVerifier: try row.decode(String.self, forColumn: "code_verifier"),
                provider: try row.decode(String.self, forColumn: "provider"),
                callbackUI: try row.decode(String?.self, forColumn: "callback_ui"),
                createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "created_at")),
                clientAddress: try row.decode(String?.self, forColumn: "client_address")
            )
        }
        guard let login, now.timeIntervalSince(login.createdAt) <= Self.pendingLoginLifetime else { return nil }
        return login
    }

    /// Deletes ended sessions and stale pending logins; returns how many rows went.
    @discardableResult
    public func purgeExpired() throws -> Int {
        let now = clock()
        return try store.write("purge expired sessions") { db in
            try db.execute(sql: "DELETE FROM browser_sessions WHERE expires_at <= ?",
                           arguments: [now.timeIntervalSinceReferenceDate])
            let sessions = db.changesCount
            try db.execute(sql: "DELETE FROM pending_logins WHERE created_at < ?",
                           arguments: [now.addingTimeInterval(-Self.pendingLoginLifetime).timeIntervalSinceReferenceDate])
            return sessions + db.changesCount
        }
    }

    private func hashCookie(_ value: String) -> [UInt8] {
        if let pepper { return SecretMaterial.hmacSHA256(key: pepper, value) }
        return SecretMaterial.sha256(value)
    }

    private static func session(_ row: Row) throws -> BrowserSession {
        BrowserSession(
            id: try row.decode(String.self, forColumn: "id"),
            username: try row.decode(String.self, forColumn: "username"),
            groups: try JSONColumn.decode([String].self, from: row.decode(String.self, forColumn: "groups_json"),
                                          column: "groups_json"),
            provider: try row.decode(String.self, forColumn: "provider"),
            createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "created_at")),
            expiresAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "expires_at")),
            csrfToken: try row.decode(String.self, forColumn: "csrf_token")
        )
    }
}
