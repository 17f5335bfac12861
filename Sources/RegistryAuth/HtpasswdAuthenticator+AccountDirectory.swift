import RegistryAuthCore
import RegistryCore

extension HtpasswdAuthenticator: AccountDirectory {
    public var accountMethod: Identity.Method { .htpasswd }

    /// Whether the htpasswd file, as last loaded, has `username`. The file is re-read when it changes (checked at
    /// most every ``reloadCheckInterval``), so a removed line takes effect within that interval.
    public func accountExists(_ username: String) async throws(AuthenticationFailure) -> Bool {
        await reloadIfChangedWhenDue()
        return hasEntry(username)
    }
}
