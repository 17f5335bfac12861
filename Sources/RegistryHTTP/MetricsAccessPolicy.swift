import RegistryCore
import RegistryPolicy

/// Who may read `/metrics` (Zot's `http.accessControl.metrics`). Repository rules do not apply.
///
/// - Without `accessControl`: as for repositories — everyone when no authentication is configured,
///   otherwise every authenticated user.
/// - Anonymous callers: only when `metrics.anonymousPolicy` contains `read`.
/// - Authenticated users: those listed in `metrics.users`; in addition (beyond Zot) users granted `read` by
///   `adminPolicy` (by name or group), recorded as a break-glass grant.
/// - Credentials restricted to repository scopes (API keys) are refused: no scope covers `/metrics`.
public struct MetricsAccessPolicy: Sendable {
    private let accessControl: AccessControl?
    private let authenticationConfigured: Bool

    /// Creates the policy for `accessControl` (nil when the config has none).
    public init(accessControl: AccessControl?, authenticationConfigured: Bool) {
        self.accessControl = accessControl
        self.authenticationConfigured = authenticationConfigured
    }

    /// Whether `identity` may read the metrics, and the rule that decided.
    public func decide(_ identity: Identity) -> AccessVerdict {
        if identity.scopes != nil {
            return AccessVerdict(allowed: false, rule: "the credential is limited to repository scopes, which never cover metrics")
        }
        guard let accessControl else {
            if !authenticationConfigured {
                return AccessVerdict(allowed: true, rule: "no accessControl and no authentication configured: metrics are open")
            }
            if identity.isAnonymous {
                return AccessVerdict(allowed: false, rule: "no accessControl configured: anonymous access denied")
            }
            return AccessVerdict(allowed: true, rule: "no accessControl configured: authenticated users may read metrics")
        }
        guard let username = identity.username else {
            return accessControl.metricsAnonymousRead
                ? AccessVerdict(allowed: true, rule: "accessControl.metrics.anonymousPolicy grants read")
                : AccessVerdict(allowed: false, rule: "accessControl.metrics.anonymousPolicy does not grant read")
        }
        if accessControl.metricsUsers.contains(username) {
            return AccessVerdict(allowed: true, rule: "accessControl.metrics.users lists \(username)")
        }
        if let admin = accessControl.adminPolicy, admin.actions.contains(.read) {
            if admin.users.contains(username) {
                return AccessVerdict(allowed: true, rule: "adminPolicy grants \(username) read", breakGlass: true)
            }
            let configGroups = accessControl.groups.filter { $0.value.contains(username) }.map(\.key)
            if let group = admin.groups.first(where: { identity.groups.contains($0) || configGroups.contains($0) }) {
                return AccessVerdict(allowed: true, rule: "adminPolicy grants group \(group) read", breakGlass: true)
            }
        }
        return AccessVerdict(allowed: false, rule: "accessControl.metrics.users does not list \(username)")
    }
}
