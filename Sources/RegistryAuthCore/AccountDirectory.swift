import RegistryCore

/// A source of accounts that can say whether a user still exists, so credentials derived from an account (API
/// keys) stop working when the account is removed (deprovisioning).
public protocol AccountDirectory: Sendable {
    /// The sign-in method of this source's accounts (`htpasswd`, `ldap`).
    var accountMethod: Identity.Method { get }
    /// Whether `username` exists now (or within the source's documented cache time).
    ///
    /// - Throws: ``AuthenticationFailure/Kind/backendUnavailable`` when the source cannot tell.
    func accountExists(_ username: String) async throws(AuthenticationFailure) -> Bool
}
