import RegistryCore

/// One line of the audit file (Zot's `log.audit`): an authentication or authorization decision. The server writes
/// it and `zot-authz test --replay` reads it back with the same type.
/// It never holds a secret: no password, key, token, cookie or query string.
public struct AuditEvent: Codable, Sendable, Equatable {
    /// What was decided.
    public enum Result: String, Codable, Sendable {
        case allow
        case deny
        case authFailure = "auth-failure"
        case rateLimited = "rate-limited"
    }

    public var time: String
    public var requestId: String
    public var clientIp: String
    public var method: String
    public var path: String
    public var repository: String?
    public var action: String?
    public var user: String?
    public var groups: [String]?
    public var authMethod: String
    public var result: Result
    public var rule: String?
    public var breakGlass: Bool?
    public var reason: String?
    /// Account events that are not a request decision: `oidc-login`, `oidc-logout`, `apikey-create`,
    /// `apikey-revoke`, `apikey-revoke-all`; `nil` for authentication/authorization decisions.
    public var event: String?
    /// The non-secret id of the credential used or affected (an API key's uuid).
    public var credentialId: String?
    /// The scopes the credential was limited to (API keys), so a replay decides exactly as the server did.
    public var scopes: [AccessScope]?

    /// Creates an event.
    public init(time: String, requestId: String, clientIp: String, method: String, path: String, repository: String? = nil,
                action: String? = nil, user: String? = nil, groups: [String]? = nil, authMethod: String, result: Result,
                rule: String? = nil, breakGlass: Bool? = nil, reason: String? = nil, event: String? = nil,
                credentialId: String? = nil, scopes: [AccessScope]? = nil) {
        self.time = time
        self.requestId = requestId
        self.clientIp = clientIp
        self.method = method
        self.path = path
        self.repository = repository
        self.action = action
        self.user = user
        self.groups = groups
        self.authMethod = authMethod
        self.result = result
        self.rule = rule
        self.breakGlass = breakGlass
        self.reason = reason
        self.event = event
        self.credentialId = credentialId
        self.scopes = scopes
    }

    /// The identity this event was decided for: user, groups, method and scopes as recorded.
    public var identity: Identity {
        guard let user else { return .anonymous }
        return Identity(username: user, groups: groups ?? [], method: Identity.Method(rawValue: authMethod) ?? .htpasswd,
                        scopes: scopes, credentialID: credentialId)
    }
}
