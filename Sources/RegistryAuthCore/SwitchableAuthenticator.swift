import RegistryCore
import Synchronization

/// An authenticator that is also an account directory, replaceable while the server runs: a config reload swaps
/// in one built from new settings (LDAP's `http.auth.ldap`), and the next request uses it. Requests already in
/// the old one finish there; it is released when the last of them ends.
public final class SwitchableAuthenticator: Authenticator, AccountDirectory {
    private let current: Mutex<any Authenticator & AccountDirectory>

    /// The source's credential kind and account method never change across a switch.
    public let credentialSource: CredentialSource
    public let accountMethod: Identity.Method

    /// Starts with `initial`.
    public init(_ initial: any Authenticator & AccountDirectory) {
        current = Mutex(initial)
        credentialSource = initial.credentialSource
        accountMethod = initial.accountMethod
    }

    /// The authenticator in force.
    public var wrapped: any Authenticator & AccountDirectory { current.withLock { $0 } }

    /// Replaces the authenticator; it must read the same credentials and name the same method.
    public func replace(with new: any Authenticator & AccountDirectory) {
        precondition(new.credentialSource == credentialSource && new.accountMethod == accountMethod,
                     "a switch must keep the credential source and the account method")
        current.withLock { $0 = new }
    }

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        try await wrapped.authenticate(request)
    }

    public func accountExists(_ username: String) async throws(AuthenticationFailure) -> Bool {
        try await wrapped.accountExists(username)
    }
}
