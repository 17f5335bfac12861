import Foundation
import GRDB
import RegistryAuthCore

/// Issues, redeems, lists and revokes the token service's refresh tokens (`offline_token=true`; Docker keeps one as
/// `identitytoken`).
///
/// A secret is `zrt_` + 64 hex digits (256 random bits), returned once; only its SHA-256 is stored. Redeeming looks
/// the hash up and compares it again in constant time; expired tokens never redeem and are deleted lazily.
public final class RefreshTokenStore: Sendable {
    /// The prefix of every refresh token.
    public static let secretPrefix = "zrt_"

    private let store: MetadataStore
    private let clock: @Sendable () -> Date

    /// Creates the store over `store`.
    public init(store: MetadataStore, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Issues a refresh token for `owner` valid for `lifetime` seconds; returns its record and secret.
    public func issue(owner: String, groups: [String], ownerSource: String, clientID: String?,
                      lifetime: TimeInterval) throws -> (record: RefreshTokenRecord, secret: String) {
        let now = clock()
        let secret = Self.secretPrefix + SecretMaterial.hex(SecretMaterial.randomBytes(32))
        let record = RefreshTokenRecord(id: UUID().uuidString.lowercased(), owner: owner, groups: groups, ownerSource: ownerSource,
                                        clientID: clientID, createdAt: now, expiresAt: now.addingTimeInterval(lifetime), lastUsedAt: nil)
        let groupsJSON = try JSONColumn.encode(groups)
        try store.write("issue refresh token") { db in
            try db.execute(sql: """
                INSERT INTO refresh_tokens (id, owner, groups_json, owner_source, client_id, token_hash, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.id, owner, groupsJSON, ownerSource, clientID, Data(SecretMaterial.sha256(secret)),
                                 now.timeIntervalSinceReferenceDate, record.expiresAt.timeIntervalSinceReferenceDate])
        }
        return (record, secret)
    }

    /// The live token whose secret is `secret`, or `nil` (malformed, unknown, revoked, expired). Records the use.
    public func redeem(_ secret: String) throws -> RefreshTokenRecord? {
        guard Self.isWellFormed(secret) else { return nil }
        let presented = SecretMaterial.sha256(secret)
        let now = clock()
        let found = try store.read("redeem refresh token") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM refresh_tokens WHERE token_hash = ?", arguments: [Data(presented)]).map { row in
                (hash: [UInt8](try row.decode(Data.self, forColumn: "token_hash")), record: try Self.record(row))
            }
        }
        guard let found, ConstantTime.equal(found.hash, presented) else { return nil }
        guard found.record.expiresAt > now else {
            try store.write("delete expired refresh token") { db in
                try db.execute(sql: "DELETE FROM refresh_tokens WHERE id = ?", arguments: [found.record.id])
            }
            return nil
        }
        try store.write("record refresh token use") { db in
            try db.execute(sql: "UPDATE refresh_tokens SET last_used_at = ? WHERE id = ?",
                           arguments: [now.timeIntervalSinceReferenceDate, found.record.id])
        }
        var record = found.record
        record.lastUsedAt = now
        return record
    }

    /// The owner's refresh tokens (expired ones included until redeemed), oldest first.
    public func list(owner: String) throws -> [RefreshTokenRecord] {
        try store.read("list refresh tokens") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM refresh_tokens WHERE owner = ? ORDER BY created_at, rowid", arguments: [owner])
                .map(Self.record)
        }
    }

    /// Deletes the token `id` of `owner`; `false` when there is none.
    @discardableResult
    public func revoke(id: String, owner: String) throws -> Bool {
        try store.write("revoke refresh token") { db in
            try db.execute(sql: "DELETE FROM refresh_tokens WHERE id = ? AND owner = ?", arguments: [id, owner])
            return db.changesCount > 0
        }
    }

    /// Deletes every token of `owner`; returns how many there were.
    @discardableResult
    public func revokeAll(owner: String) throws -> Int {
        try store.write("revoke all refresh tokens") { db in
            try db.execute(sql: "DELETE FROM refresh_tokens WHERE owner = ?", arguments: [owner])
            return db.changesCount
        }
    }

    static func isWellFormed(_ secret: String) -> Bool {
        guard secret.hasPrefix(secretPrefix) else { return false }
        let body = secret.utf8.dropFirst(secretPrefix.utf8.count)
        return body.count == 64 && body.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func record(_ row: Row) throws -> RefreshTokenRecord {
        let lastUsed = try row.decode(Double?.self, forColumn: "last_used_at")
        return RefreshTokenRecord(
            id: try row.decode(String.self, forColumn: "id"),
            owner: try row.decode(String.self, forColumn: "owner"),
            groups: try JSONColumn.decode([String].self, from: row.decode(String.self, forColumn: "groups_json"), column: "groups_json"),
            ownerSource: try row.decode(String.self, forColumn: "owner_source"),
            clientID: try row.decode(String?.self, forColumn: "client_id"),
            createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "created_at")),
            expiresAt: Date(timeIntervalSinceReferenceDate: try row.decode(Double.self, forColumn: "expires_at")),
            lastUsedAt: lastUsed.map(Date.init(timeIntervalSinceReferenceDate:)))
    }
}
