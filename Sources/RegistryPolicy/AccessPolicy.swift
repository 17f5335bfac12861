import RegistryCore

/// The one answer to every access question: repository actions (with API-key scopes as an intersection),
/// admin rights, `/metrics`, catalog filtering and manifest-push create-vs-update.
///
/// Built once from `accessControl` (absent → Zot's open behaviour) and the ``AuthenticationSettings``; the
/// server pipeline, `zot-authz test`, `/metrics` and the audit replay all ask this value, so they cannot disagree.
///
/// Without `accessControl` (as Zot): with no authentication configured everyone may do everything; with
/// authentication, every authenticated user may and anonymous requests may not.
public struct AccessPolicy: Sendable {
    /// The compiled `accessControl`; `nil` when the config has none.
    public let engine: PolicyEngine?
    /// What the config says about authentication.
    public let authentication: AuthenticationSettings

    /// Compiles `accessControl` (nil when the config has none); throws the first invalid glob.
    public init(accessControl: AccessControl?, authentication: AuthenticationSettings) throws(GlobError) {
        self.engine = try accessControl.map { control throws(GlobError) in try PolicyEngine(control) }
        self.authentication = authentication
    }

    /// Uses an already compiled engine.
    public init(engine: PolicyEngine?, authentication: AuthenticationSettings) {
        self.engine = engine
        self.authentication = authentication
    }

    /// Whether `/v2/` challenges anonymous callers (any authentication configured).
    public var challengesAnonymousBase: Bool { authentication.isConfigured }

    /// May `identity` perform `requirement`? A credential with scopes (an API key, a registry token's `access`) is
    /// allowed only where the owner's policy allows **and** one scope covers the repository and action: a token never
    /// grants more than policy, and policy never more than the token.
    public func decide(_ identity: Identity, _ requirement: AccessRequirement) -> AccessVerdict {
        guard let scopes = identity.scopes else { return ownerVerdict(identity, requirement) }
        let repository = requirement.repository.value
        let covering = scopes.first { scope in
            guard scope.actions.contains(requirement.action), let pattern = try? GlobPattern(scope.repositories) else { return false }
            return pattern.matches(repository)
        }
        let kind = identity.method == .registryToken ? "token access" : "credential scopes"
        guard let covering else {
            let listed = scopes.map { "\($0.repositories)[\($0.actions.sorted().map(\.rawValue).joined(separator: ","))]" }
            let text = listed.isEmpty ? "(none)" : listed.joined(separator: " ")
            return AccessVerdict(allowed: false, rule: "\(kind) \(text) do not cover \(requirement.action.rawValue) on \(repository)",
                                 outsideCredentialScope: true)
        }
        let verdict = ownerVerdict(identity, requirement)
        let within = identity.method == .registryToken ? "within token access" : "within credential scope"
        return AccessVerdict(allowed: verdict.allowed, rule: "\(verdict.rule) (\(within) \(covering.repositories))",
                             breakGlass: verdict.breakGlass)
    }

    /// Whether `identity` may read `repository` (catalog filtering, referrers, listings).
    public func canRead(_ identity: Identity, _ repository: RepositoryName) -> Bool {
        decide(identity, AccessRequirement(repository, .read)).allowed
    }

    /// Whether `identity` is a break-glass admin (`adminPolicy` grants `delete`), who may also manage other
    /// users' credentials. Without `accessControl` nobody is.
    public func isAdmin(_ identity: Identity) -> Bool {
        engine?.isAdmin(identity) ?? false
    }

    /// The owner's own rights, ignoring credential scopes.
    private func ownerVerdict(_ identity: Identity, _ requirement: AccessRequirement) -> AccessVerdict {
        guard let engine else { return Self.openVerdict(identity, authentication: authentication, subject: "full access") }
        let decision = engine.decide(identity: identity, repository: requirement.repository.value, action: requirement.action)
        return AccessVerdict(allowed: decision.allowed, rule: decision.description, breakGlass: decision.isBreakGlass)
    }

    /// Zot's behaviour without `accessControl`.
    static func openVerdict(_ identity: Identity, authentication: AuthenticationSettings, subject: String) -> AccessVerdict {
        if !authentication.isConfigured {
            return AccessVerdict(allowed: true, rule: "no accessControl and no authentication configured: open registry")
        }
        if identity.isAnonymous {
            return AccessVerdict(allowed: false, rule: "no accessControl configured: anonymous access denied")
        }
        return AccessVerdict(allowed: true, rule: "no accessControl configured: authenticated users have \(subject)")
    }
}
