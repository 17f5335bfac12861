import RegistryAuth
import RegistryAuthCore

/// What the web console (`extensions.ui`) needs beyond the account services: the password sources its sign-in
/// form checks (htpasswd, LDAP — never API keys or tokens, which must not turn into browser sessions).
public struct ConsoleOptions: Sendable {
    /// htpasswd then LDAP; `nil` when neither is configured (no password form).
    public var passwordLogin: AuthenticatorChain?
    /// `http.auth.failDelay`, applied to every failed sign-in.
    public var failDelay: FailDelay
    /// The `host[:port]` clients pull from, for the ready-made `skopeo`/`podman` lines.
    public var registryHost: String

    /// Creates the options.
    public init(passwordLogin: AuthenticatorChain?, failDelay: FailDelay = FailDelay(seconds: 0), registryHost: String) {
        self.passwordLogin = passwordLogin
        self.failDelay = failDelay
        self.registryHost = registryHost
    }
}
