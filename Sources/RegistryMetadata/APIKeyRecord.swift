import Foundation
import RegistryCore

/// What is known about one API key — everything except its secret, which is only ever stored hashed.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    /// The key's public identifier (a lower-case UUID); safe to show, log and use in URLs.
    public let id: String
    /// The user the key belongs to; it authenticates only as this user name.
    public let owner: String
    /// The owner's description of the key (1–100 printable characters).
    public let label: String
    /// The owner's groups when the key was created (a snapshot; later group changes are not reflected).
    public let groups: [String]
    /// Restrictions on what the key may do; empty = everything its owner may do.
    public let scopes: [AccessScope]
    /// When the key was created.
    public let createdAt: Date
    /// When the key stops working; `nil` = never.
    public let expiresAt: Date?
    /// When the key last authenticated a request (recorded at most once per minute).
    public var lastUsedAt: Date?
    /// How the owner signed in when creating the key (`htpasswd`, `ldap`, `oidc-session`, an ``Identity/Method``
    /// raw value); `nil` for keys created before this was recorded. Decides where the owner's existence is checked.
    public var ownerSource: String?

    /// Creates a record.
    public init(id: String, owner: String, label: String, groups: [String], scopes: [AccessScope],
                createdAt: Date, expiresAt: Date?, lastUsedAt: Date?, ownerSource: String? = nil) {
        self.ownerSource = ownerSource
        self.id = id
        self.owner = owner
        self.label = label
        self.groups = groups
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    /// Whether the key is expired at `date`.
    public func isExpired(at date: Date) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= date
    }
}
