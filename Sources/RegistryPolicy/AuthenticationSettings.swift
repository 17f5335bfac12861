/// What access decisions need to know about authentication, derived once from the config
/// (`ZotConfig.authenticationSettings`) and shared by the server, `zot-authz test`, `/metrics` and the audit replay.
public struct AuthenticationSettings: Sendable, Hashable {
    /// The configured authentication methods, in the order the chain consults them
    /// (e.g. `["htpasswd", "ldap", "apikey", "bearer", "mtls", "openid"]`). Empty: no authentication at all.
    public var methods: [String]

    /// Creates settings from the configured methods.
    public init(methods: [String]) {
        self.methods = methods
    }

    /// Whether any authentication method is configured. `http.auth` with only `failDelay` (or nothing) is none.
    public var isConfigured: Bool { !methods.isEmpty }

    /// No authentication configured.
    public static let none = AuthenticationSettings(methods: [])
}
