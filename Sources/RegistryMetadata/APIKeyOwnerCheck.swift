import RegistryAuthCore
import RegistryCore

/// Deprovisioning: whether an API key's owner still exists where the owner signed in from.
///
/// - Keys created after an htpasswd or LDAP sign-in are checked against that source (htpasswd: the live file;
///   LDAP: a search, cached by ``LDAPAuthenticator/accountExists(_:)``). A source no longer configured counts
///   as "the owner is gone".
/// - Keys of OIDC users (browser session) cannot be checked — an OIDC provider offers no lookup: they live until
///   they expire or are revoked (an admin revokes all of a user's keys with
///   `DELETE /zot/auth/apikey?username=<user>`).
/// - Keys from before the source was recorded: the owner must exist in one of the directories, unless an OIDC
///   login is configured (the owner may be an OIDC user) or no directory is configured.
public struct APIKeyOwnerCheck: Sendable {
    /// The account sources (htpasswd, LDAP) in chain order.
    public let directories: [any AccountDirectory]
    /// Whether browser (OIDC) logins are configured, so an owner of unknown source may be an OIDC user.
    public let oidcLoginConfigured: Bool

    /// Creates the check.
    public init(directories: [any AccountDirectory], oidcLoginConfigured: Bool) {
        self.directories = directories
        self.oidcLoginConfigured = oidcLoginConfigured
    }

    /// Whether the owner of `record` still exists; `false` means the key must be refused.
    public func ownerExists(_ record: APIKeyRecord) async throws(AuthenticationFailure) -> Bool {
        switch record.ownerSource.flatMap(Identity.Method.init(rawValue:)) {
        case .htpasswd?, .ldap?:
            guard let directory = directories.first(where: { $0.accountMethod.rawValue == record.ownerSource }) else { return false }
            return try await directory.accountExists(record.owner)
        case .some:
            return true
        case nil:
            for directory in directories {
                if try await directory.accountExists(record.owner) { return true }
            }
            return oidcLoginConfigured || directories.isEmpty
        }
    }
}
