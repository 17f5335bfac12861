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
    }

    /// The user name; `nil` for anonymous requests.
    public let username: String?
    /// Group names from the authentication source (LDAP, OIDC claims); config groups are added by policy.
    public let groups: [String]
    /// How the identity was established.
    public let method: Method

    /// Creates an authenticated identity.
    public init(username: String, groups: [String] = [], method: Method) {
        self.username = username
        self.groups = groups
        self.method = method
    }

    private init() {
        username = nil
        groups = []
        method = .anonymous
    }

    /// The identity of a request that presented no credentials.
    public static let anonymous = Identity()

    /// Whether no credentials were presented.
    public var isAnonymous: Bool { username == nil }

    public var description: String {
        guard let username else { return "anonymous" }
        return groups.isEmpty ? "\(username) (\(method.rawValue))" : "\(username) [\(groups.joined(separator: ","))] (\(method.rawValue))"
    }
}
