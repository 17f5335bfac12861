import RegistryAuth
import RegistryAuthCore
import RegistryMetadata
import RegistryOIDC

/// What the built-in token service needs: the signer (key, issuer, service), lifetimes, and — for `POST /auth/token`
/// and refresh tokens — the authenticator chain, the failure delay, the refresh-token store and the account
/// directories that tell whether a refresh token's owner still exists.
public struct TokenServiceOptions: Sendable {
    /// Signs tokens; its `service` is the challenge's `service` and every token's `aud`.
    public var signer: RegistryTokenSigner
    /// Seconds a token lives (`tokenService.lifetime`).
    public var lifetimeSeconds: Int
    /// The token endpoint URL named by the challenge (`<externalUrl>/auth/token`).
    public var realm: String
    /// Where refresh tokens (`offline_token=true`, `access_type=offline`) are kept hashed; `nil`: none are issued.
    public var refreshTokens: RefreshTokenStore?
    /// Seconds a refresh token lives (`tokenService.refreshLifetime`).
    public var refreshLifetimeSeconds: Int = 7 * 24 * 3600
    /// Authenticates `grant_type=password` (the same chain as every request).
    public var chain: AuthenticatorChain = AuthenticatorChain([])
    /// The per-user-name login failure budget that Basic logins spend too: `grant_type=password` is throttled by it.
    public var loginBudget: LoginFailureBudget?
    /// Applied after a failed password or refresh-token grant.
    public var failDelay: FailDelay = FailDelay(seconds: 0)
    /// htpasswd and LDAP: a refresh token of an owner who is gone from its source is refused.
    public var directories: [any AccountDirectory] = []
    /// Counts issued and refused tokens (`nil` when metrics are off).
    public var metrics: RegistryMetrics?
    /// The token endpoint's path.
    public static let tokenPath = "/auth/token"

    /// Creates the options.
    public init(signer: RegistryTokenSigner, lifetimeSeconds: Int, realm: String) {
        self.signer = signer
        self.lifetimeSeconds = lifetimeSeconds
        self.realm = realm
    }
}
