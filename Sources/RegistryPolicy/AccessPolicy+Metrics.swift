import RegistryCore

extension AccessPolicy {
    /// Who may read `/metrics` (Zot's `http.accessControl.metrics`). Repository rules do not apply.
    ///
    /// - Without `accessControl`: as for repositories — everyone when no authentication is configured,
    ///   otherwise every authenticated user.
    /// - Anonymous callers: only when `metrics.anonymousPolicy` contains `read`.
    /// - Authenticated users: those listed in `metrics.users`; in addition (beyond Zot) users granted `read` by
    ///   `adminPolicy` (by name or group), recorded as a break-glass grant.
    /// - Credentials restricted to repository scopes (API keys) are refused: no scope covers `/metrics`.
    public func decideMetrics(_ identity: Identity) -> AccessVerdict {
        if identity.scopes != nil {
            return AccessVerdict(allowed: false, rule: "the credential is limited to repository scopes, which never cover metrics")
        }
        guard let engine else { return Self.openVerdict(identity, authentication: authentication, subject: "access to metrics") }
        let accessControl = engine.accessControl
        guard let username = identity.username else {
            return accessControl.metricsAnonymousRead
                ? AccessVerdict(allowed: true, rule: "accessControl.metrics.anonymousPolicy grants read")
                : AccessVerdict(allowed: false, rule: "accessControl.metrics.anonymousPolicy does not grant read")
        }
        if accessControl.metricsUsers.contains(username) {
            return AccessVerdict(allowed: true, rule: "accessControl.metrics.users lists \(username)")
        }
        if let match = engine.adminMatch(identity: identity, action: .read) {
            return AccessVerdict(allowed: true, rule: "adminPolicy grants \(match) read", breakGlass: true)
        }
        return AccessVerdict(allowed: false, rule: "accessControl.metrics.users does not list \(username)")
    }
}
