/// Who is making a request, as established by authentication.
public struct Identity: Sendable, Hashable, CustomStringConvertible {
    /// How the identity was established.
    public enum Method: String, Sendable, Hashable, Codable {
        case anonymous
        case htpasswd
        case ldap
        case mtls
        case oidcSession = "oidc-session"
        case apiKey = "apikey"
        case bearer
        /// A Docker registry token (`Authorization: Bearer`) from the token server of `http.auth.bearer.cert` or the
        /// built-in token service; its `access` claim becomes ``Identity/scopes``.
        case registryToken = "registry-token"
    }

    /// The user name; `nil` for anonymous requests.
    public let username: String?
    /// Group names from the authentication source (LDAP, OIDC claims); config groups are added by policy.
    public let groups: [String]
    /// How the identity was established.
    public let method: Method
    /// Restrictions carried by the credential (API key scopes, a registry token's `access`): when set, a request is allowed only if the
    /// policy allows it **and** one scope covers it (the intersection with the owner's rights). `nil` = none.
    public let scopes: [AccessScope]?
    /// A non-secret identifier of the credential used (an API key id, a token's `jti`), for audit; never the secret itself.
    public let credentialID: String?

    /// Creates an authenticated identity.
    public init(username: String, groups: [String] = [], method: Method, scopes: [AccessScope]? = nil, credentialID: String? = nil) {
        self.username = username
        self.groups = groups
        self.method = method
        self.scopes = scopes
        self.credentialID = credentialID
    }

    private init() {
        username = nil
        groups = []
        method = .anonymous
        scopes = nil
        credentialID = nil
    }

    private init(anonymousWith method: Method, scopes: [AccessScope], credentialID: String?) {
        username = nil
        groups = []
        self.method = method
        self.scopes = scopes
        self.credentialID = credentialID
    }

    /// An anonymous caller that presented a verified credential restricting it further (a registry token issued to
    /// nobody in particular): policy treats it as anonymous, intersected with `scopes`.
    public static func anonymous(method: Method, scopes: [AccessScope], credentialID: String? = nil) -> Identity {
        Identity(anonymousWith: method, scopes: scopes, credentialID: credentialID)
    }

    /// Whether the request presented a credential at all (an anonymous registry token did; no credentials did not).
    public var presentedCredential: Bool { method != .anonymous }

    /// The identity of a request that presented no credentials.
    public static let anonymous = Identity()

    /// Whether no credentials were presented.
    public var isAnonymous: Bool { username == nil }

    public var description: String {
        guard let username else { return "anonymous" }
        return groups.isEmpty ? "\(username) (\(method.rawValue))" : "\(username) [\(groups.joined(separator: ","))] (\(method.rawValue))"
    }
}

/// One scope of a restricted credential: a repository glob (Zot's `accessControl` syntax, e.g. `team/**`)
/// and the actions allowed there.
public struct AccessScope: Sendable, Hashable, Codable {
    /// The repository glob.
    public var repositories: String
    /// The actions this scope allows.
    public var actions: Set<RegistryAction>

    /// Creates a scope.
    public init(repositories: String, actions: Set<RegistryAction>) {
        self.repositories = repositories
        self.actions = actions
    }
}
