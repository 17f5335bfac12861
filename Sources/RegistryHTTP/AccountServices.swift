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
    /// Whether cookies get the `Secure` flag (served over TLS, or `externalUrl` is https).
    public var secureCookies: Bool
    /// Origins (besides our own paths) a login may return to with `callback_ui`.
    public var callbackAllowOrigins: [String]
    /// Whether an identity is an admin (`accessControl.adminPolicy`): admins may revoke anyone's keys.
    public var isAdmin: @Sendable (Identity) -> Bool

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
    /// origin is listed in `callbackAllowOrigins`. Anything else (open redirects) falls back to the key page.
    func safeCallback(_ requested: String?) -> String {
        let fallback = AccountPages.apiKeysPath
        guard let requested, !requested.isEmpty, requested.count <= 2048 else { return fallback }
        // Browsers drop tabs and newlines from URLs (`/\t/evil.com` becomes `//evil.com`), and a space or control
        // character has no place in a return address: refuse them all before looking at the prefix.
        guard requested.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return fallback }
        if requested.hasPrefix("/") {
            return requested.hasPrefix("//") || requested.hasPrefix("/\\") ? fallback : requested
        }
        guard let url = URL(string: requested), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased() else { return fallback }
        let origin = url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
        let allowed = callbackAllowOrigins.contains { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/")) == origin }
        return allowed ? requested : fallback
    }
}
