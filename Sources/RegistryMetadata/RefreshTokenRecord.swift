import Foundation

/// What is known about one refresh token of the token service (`offline_token=true`) — everything but the secret,
/// which is stored only as its SHA-256.
public struct RefreshTokenRecord: Sendable, Hashable, Codable {
    /// The public identifier (a lower-case UUID): safe to show, log and use to revoke.
    public let id: String
    /// The user it authenticates as.
    public let owner: String
    /// The owner's groups when it was issued.
    public let groups: [String]
    /// How the owner authenticated when it was issued (an `Identity.Method` raw value).
    public let ownerSource: String
    /// The `client_id` the client named, if any.
    public let clientID: String?
    /// When it was issued.
    public let createdAt: Date
    /// When it stops working.
    public let expiresAt: Date
    /// When it was last redeemed.
    public var lastUsedAt: Date?

    /// Creates a record.
    public init(id: String, owner: String, groups: [String], ownerSource: String, clientID: String?, createdAt: Date,
                expiresAt: Date, lastUsedAt: Date?) {
        self.id = id
        self.owner = owner
        self.groups = groups
        self.ownerSource = ownerSource
        self.clientID = clientID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}
