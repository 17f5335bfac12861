import Foundation
import RegistryCore
import RegistryMetadata
import RegistryOIDC

/// What the account endpoints need: OIDC providers for browser login, the session store, the API key store.
/// A `nil` store (or no providers) turns the matching endpoints off (they answer 404 as unknown routes do).
public struct AccountServices: Sendable {
    /// OIDC relying parties by provider key (`oidc`, …).
    public var providers: [String: OIDCRelyingParty]
    /// Browser sessions (required for OIDC login).
    public var sessions: SessionStore?
    /// API keys (`http.auth.apikey`).
    public var apiKeys: APIKeyStore?
    /// The token service's refresh tokens (`offline_token=true`), listed and revocable with the API keys.
    public var refreshTokens: RefreshTokenStore?
    /// Whether cookies get the `Secure` flag (served over TLS, or `externalUrl` is https).
    public var secureCookies: Bool
    /// Origins (besides our own paths) a login may return to with `callback_ui`.
    public var callbackAllowOrigins: [String]
    /// Whether an identity is an admin (`accessControl.adminPolicy`): admins may revoke anyone's keys.
    public var isAdmin: @Sendable (Identity) -> Bool
    /// This server's origin as browsers see it (`http.externalUrl`), for the same-origin check of cookie requests.
    public var externalOrigin: String?

    /// Creates the services.
    public init(providers: [String: OIDCRelyingParty] = [:], sessions: SessionStore? = nil, apiKeys: APIKeyStore? = nil,
                secureCookies: Bool = false, callbackAllowOrigins: [String] = [],
                isAdmin: @escaping @Sendable (Identity) -> Bool = { _ in false }) {
        self.providers = providers
        self.sessions = sessions
        self.apiKeys = apiKeys
        self.secureCookies = secureCookies
        self.callbackAllowOrigins = callbackAllowOrigins
        self.isAdmin = isAdmin
    }

    /// Whether any account endpoint is served.
    public var isEnabled: Bool { sessions != nil || apiKeys != nil }

    /// Where a finished login may send the browser: a path on this server (`/…`, not `//…`), or a URL whose
    /// origin is listed in `callbackAllowOrigins`, both parsed by ``CallbackTarget`` (no backslash, user info or control
    /// characters) and re-serialised. Anything else (open redirects) falls back to the key page.
    func safeCallback(_ requested: String?) -> String {
        let fallback = AccountPages.apiKeysPath
        guard let requested, let target = CallbackTarget(parsing: requested) else { return fallback }
        guard let origin = target.origin else { return target.serialized }
        let allowed = callbackAllowOrigins.contains { CallbackTarget.Origin(parsing: $0) == origin }
        return allowed ? target.serialized : fallback
    }
}
