import RegistryCore

/// One policy entry: these users and groups get these actions.
public struct PolicyEntry: Sendable, Hashable, Codable {
    /// User names the entry applies to.
    public var users: [String]
    /// Group names the entry applies to.
    public var groups: [String]
    /// Actions granted.
    public var actions: [RegistryAction]

    public init(users: [String] = [], groups: [String] = [], actions: [RegistryAction]) {
        self.users = users
        self.groups = groups
        self.actions = actions
    }
}

/// The rules for one repository glob under `accessControl.repositories`.
public struct RepositoryRules: Sendable, Hashable, Codable {
    /// The glob pattern, e.g. `team-a/**`.
    public var pattern: String
    /// `policies`: per-user/group grants.
    public var policies: [PolicyEntry]
    /// `defaultPolicy`: actions for any authenticated user.
    public var defaultPolicy: [RegistryAction]
    /// `anonymousPolicy`: actions for anonymous requests.
    public var anonymousPolicy: [RegistryAction]

    public init(pattern: String, policies: [PolicyEntry] = [], defaultPolicy: [RegistryAction] = [], anonymousPolicy: [RegistryAction] = []) {
        self.pattern = pattern
        self.policies = policies
        self.defaultPolicy = defaultPolicy
        self.anonymousPolicy = anonymousPolicy
    }
}

/// Zot's `http.accessControl` as a pure value.
public struct AccessControl: Sendable, Hashable, Codable {
    /// Repository rules, in config order.
    public var repositories: [RepositoryRules]
    /// `adminPolicy`: grants that apply on every repository (break-glass).
    public var adminPolicy: PolicyEntry?
    /// `groups`: group name → member user names.
    public var groups: [String: [String]]
    /// `metrics.users`: who may read `/metrics`.
    public var metricsUsers: [String]
    /// `metrics.anonymousPolicy` contains `read`: anonymous may read `/metrics`.
    public var metricsAnonymousRead: Bool

    public init(repositories: [RepositoryRules] = [], adminPolicy: PolicyEntry? = nil, groups: [String: [String]] = [:],
                metricsUsers: [String] = [], metricsAnonymousRead: Bool = false) {
        self.repositories = repositories
        self.adminPolicy = adminPolicy
        self.groups = groups
        self.metricsUsers = metricsUsers
        self.metricsAnonymousRead = metricsAnonymousRead
    }
}
