import Foundation
import GRDB
import RegistryAuthCore
import RegistryCore

/// Creates, lists, revokes and verifies API keys (Zot's `zak_…` keys, used as the password of Basic auth).
///
/// - A secret is `zak_` followed by 64 hex digits (256 random bits). It is returned once, by ``create``; only its
///   SHA-256 is stored (a hash of 256 random bits needs no salt or slow hash), and presented secrets are compared
///   against the owner's hashes in constant time.
/// - Revoking deletes the row; an expired key stays listed (so its owner sees it) but no longer verifies.
/// - Calls are synchronous; see ``MetadataStore``.
public final class APIKeyStore: Sendable {
    /// What ``create(owner:groups:label:expiresAt:scopes:)`` does when no expiry is given but a maximum lifetime is
    /// configured.
    public enum MissingExpiry: Sendable, Hashable {
        /// The key expires after the maximum lifetime (the returned record shows when). Zot clients that never
        /// send an expiry keep working.
        case clampToMaximum
        /// Creation fails with ``APIKeyError/expiryRequired``.
        case reject
    }

    /// The prefix of every API key secret; a Basic password without it is not an API key.
    public static let secretPrefix = "zak_"
    /// `lastUsedAt` is written at most this often per key, so busy keys do not turn every pull into a write.
    public static let lastUsedWriteInterval: TimeInterval = 60

    /// The longest lifetime a new key may have; `nil` = unlimited (keys may never expire).
    public let maximumLifetime: TimeInterval?
    /// The behaviour when no expiry is requested and ``maximumLifetime`` is set.
    public let missingExpiry: MissingExpiry

    private let store: MetadataStore
    private let clock: @Sendable () -> Date
    private static let secretHexLength = 64

    /// Creates a key store over `store`.
    ///
    /// - Parameters:
    ///   - maximumLifetime: the longest lifetime a new key may have, in seconds; `nil` = unlimited.
    ///   - missingExpiry: what to do when a key is requested without expiry and a maximum is set.
    ///   - clock: the wall clock (injectable for tests).
    public init(store: MetadataStore, maximumLifetime: TimeInterval? = nil, missingExpiry: MissingExpiry = .clampToMaximum,
                clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.maximumLifetime = maximumLifetime
        self.missingExpiry = missingExpiry
        self.clock = clock
    }

    /// Creates a key for `owner` and returns its record and its secret — the only time the secret is available.
    ///
    /// - Parameters:
    ///   - groups: the owner's groups now; they are stored with the key (refreshed by ``updateGroups(owner:groups:)``
    ///     at each login) and reported when it authenticates.
    ///   - scopes: restrictions; empty = the key may do whatever its owner may do.
    /// - Throws: ``APIKeyError`` for an invalid label, expiry or scope, or a storage failure.
    public func create(owner: String, groups: [String], label: String, expiresAt: Date?,
                       scopes: [AccessScope], ownerSource: String? = nil) throws(APIKeyError) -> (record: APIKeyRecord, secret: String) {
        guard !owner.isEmpty else { throw .storage("refusing to store an API key without an owner") }
        let label = try APIKeyValidation.validLabel(label)
        try APIKeyValidation.validateScopes(scopes)
        let now = clock()
        let expiry = try resolveExpiry(expiresAt, now: now)
        let secret = Self.secretPrefix + SecretMaterial.hex(SecretMaterial.randomBytes(32))
        let record = APIKeyRecord(
            id: UUID().uuidString.lowercased(), owner: owner, label: label, groups: groups, scopes: scopes,
            createdAt: now, expiresAt: expiry, lastUsedAt: nil, ownerSource: ownerSource
        )
        let hash = SecretMaterial.sha256(secret)
        do {
            let groupsJSON = try JSONColumn.encode(groups)
            let scopesJSON = try JSONColumn.encode(scopes)
            try store.write("create API key") { db in
                try db.execute(sql: """
                    INSERT INTO api_keys (id, owner, label, groups_json, scopes_json, secret_hash, created_at, expires_at, owner_source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        record.id, owner, label, groupsJSON, scopesJSON, Data(hash),
                        now.timeIntervalSinceReferenceDate, expiry?.timeIntervalSinceReferenceDate, ownerSource,
                    ])
            }
        } catch {
            throw .storage("\(error)")
        }
        return (record, secret)
    }

    /// The owner's keys (including expired ones), oldest first. Secrets are never part of a record.
    public func list(owner: String) throws -> [APIKeyRecord] {
        try store.read("list API keys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE owner = ? ORDER BY created_at, rowid", arguments: [owner])
                .map(Self.record)
        }
    }

    /// Every user's keys, by owner then age (the admin view of the web console).
    public func listAll(limit: Int = 1000) throws -> [APIKeyRecord] {
        try store.read("list all API keys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY owner, created_at, rowid LIMIT ?", arguments: [limit])
                .map(Self.record)
        }
    }

    /// Deletes the key `id` if it belongs to `owner`; `false` when there is no such key of that owner.
    @discardableResult
    public func revoke(id: String, owner: String) throws -> Bool {
        try store.write("revoke API key") { db in
            try db.execute(sql: "DELETE FROM api_keys WHERE id = ? AND owner = ?", arguments: [id, owner])
            return db.changesCount > 0
        }
    }

    /// Replaces the groups stored with every key of `owner`; returns how many keys there were. Called at each login,
    /// as Zot refreshes a user's groups then: a user removed from a group loses its grants on all their keys at
    /// their next login.
    @discardableResult
    public func updateGroups(owner: String, groups: [String]) throws -> Int {
        let groupsJSON = try JSONColumn.encode(groups)
        return try store.write("update API key groups") { db in
            try db.execute(sql: "UPDATE api_keys SET groups_json = ? WHERE owner = ?", arguments: [groupsJSON, owner])
            return db.changesCount
        }
    }

    /// Deletes every key of `owner`; returns how many there were.
    @discardableResult
    public func revokeAll(owner: String) throws -> Int {
        try store.write("revoke all API keys") { db in
            try db.execute(sql: "DELETE FROM api_keys WHERE owner = ?", arguments: [owner])
            return db.changesCount
        }
    }

    /// The record of the live key of `username` whose secret is `secret`, or `nil` (not an API key, no such key for
    /// that user, expired, revoked). Records the use (``APIKeyRecord/lastUsedAt``), at most once per
    /// ``lastUsedWriteInterval`` per key.
    ///
    /// - Throws: ``MetadataStoreError`` when the database cannot be read or written.
    public func verify(username: String, secret: String) throws -> APIKeyRecord? {
        guard Self.isWellFormed(secret) else { return nil }
        let presented = SecretMaterial.sha256(secret)
        let now = clock()
        let candidates = try store.read("verify API key") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE owner = ?", arguments: [username]).map { row in
                (hash: [UInt8](try row.decode(Data.self, forColumn: "secret_hash")), record: try Self.record(row))
            }
        }
        // Compare with every candidate, without stopping at the first match, so timing does not depend on position.
        var matching: APIKeyRecord?
        for candidate in candidates where ConstantTime.equal(candidate.hash, presented) {
            matching = candidate.record
        }
        guard var record = matching else { return nil }
        guard !record.isExpired(at: now) else { return nil }
        if let lastUsed = record.lastUsedAt, now.timeIntervalSince(lastUsed) < Self.lastUsedWriteInterval {
            return record
        }
        let threshold = now.addingTimeInterval(-Self.lastUsedWriteInterval).timeIntervalSinceReferenceDate
        try store.write("record API key use") { db in
            try db.execute(sql: """
                UPDATE api_keys SET last_used_at = ?
                WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)
                """, arguments: [now.timeIntervalSinceReferenceDate, record.id, threshold])
        }
        record.lastUsedAt = now
        return record
    }

    /// Whether `secret` has the shape of a key this store issues (`zak_` + 64 lower-case hex digits).
    static func isWellFormed(_ secret: String) -> Bool {
        guard secret.hasPrefix(secretPrefix) else { return false }
        let body = secret.utf8.dropFirst(secretPrefix.utf8.count)
        return body.count == secretHexLength
            && body.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private func resolveExpiry(_ requested: Date?, now: Date) throws(APIKeyError) -> Date? {
        guard let requested else {
            guard let maximumLifetime else { return nil }
            switch missingExpiry {
            case .clampToMaximum: return now.addingTimeInterval(maximumLifetime)
            case .reject: throw .expiryRequired
            }
        }
        guard requested > now else { throw .expiryInPast }
        if let maximumLifetime, requested.timeIntervalSince(now) > maximumLifetime {
            throw .lifetimeTooLong(maximumSeconds: Self.wholeSeconds(maximumLifetime))
        }
        return requested
    }

    /// `interval` in whole seconds, saturating instead of trapping on huge or non-finite values.
    private static func wholeSeconds(_ interval: TimeInterval) -> Int {
        guard interval.isFinite else { return interval > 0 ? Int.max : 0 }
        if interval >= Double(Int.max) { return Int.max }
        if interval <= 0 { return 0 }
        return Int(interval.rounded(.down))
    }

    private static func record(_ row: Row) throws -> APIKeyRecord {
        let lastUsed = try row.decode(Double?.self, forColumn: "last_used_at")
        let expires = try row.decode(Double?.self, forColumn: "expires_at")
        return APIKeyRecord(
            id: try row.decode(String.self, forColumn: "id"),
            owner: try row.decode(String.self, forColumn: "owner"),
            label: try row.decode(String.self, forColumn: "label"),
            groups: try JSONColumn.decode([String].self, from: row.decode(String.self, forColumn: "groups_json"),
                                          column: "groups_json"),
            scopes: try JSONColumn.decode([AccessScope].self, from: row.decode(String.self, forColumn: "scopes_json"),
                                          column: "scopes_json"),
            createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "created_at")),
            expiresAt: expires.map(Date.init(timeIntervalSinceReferenceDate:)),
            lastUsedAt: lastUsed.map(Date.init(timeIntervalSinceReferenceDate:)),
            ownerSource: try row.decode(String?.self, forColumn: "owner_source")
        )
    }
}
