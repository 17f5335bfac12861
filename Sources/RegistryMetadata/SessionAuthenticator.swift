import RegistryAuthCore
import RegistryCore

/// Accepts the browser session cookie (``SessionStore/cookieName``) set after an OIDC login.
///
/// Outcomes (see ``Authenticator``):
/// - an ``Identity`` with method `.oidcSession`, the session's user and groups, and the session's public id as
///   `credentialID`;
/// - `nil` when the request carries an `Authorization` header (explicit credentials win over a cookie), carries
///   no session cookie, or carries an unknown or ended one — a stale cookie must not break anonymous pulls;
/// - throws ``AuthenticationFailure/Kind/backendUnavailable`` when the session store cannot be read.
///
/// CSRF: this authenticator sees no method or headers; the HTTP layer must require the session's
/// ``BrowserSession/csrfToken`` (or an equivalent check) on state-changing requests authenticated this way.
public struct SessionAuthenticator: Authenticator {
    /// Reads the session cookie.
    public var credentialSource: CredentialSource { .sessionCookie }

    /// The session store consulted.
    public let sessions: SessionStore

    /// Creates an authenticator over `sessions`.
    public init(sessions: SessionStore) {
        self.sessions = sessions
    }

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard request.authorizationHeaders.isEmpty,
              let cookieValue = request.cookie(named: SessionStore.cookieName)
        else { return nil }
        let session: BrowserSession?
        do {
            session = try sessions.lookup(cookieValue: cookieValue)
        } catch {
            throw .backendUnavailable("session store unavailable while looking up a session cookie: \(error)")
        }
        guard let session else { return nil }
        return Identity(username: session.username, groups: session.groups, method: .oidcSession, credentialID: session.id)
    }
}
