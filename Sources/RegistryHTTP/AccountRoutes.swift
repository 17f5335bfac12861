import Foundation
import Hummingbird
import RegistryAuth
import RegistryAuthCore
import RegistryCore
import RegistryMetadata
import RegistryOIDC

/// Zot's account endpoints: OIDC browser login (`/zot/auth/login`, `/zot/auth/callback/<provider>`,
/// `/zot/auth/logout`) and the API key API (`/zot/auth/apikey`). They run behind the same rate limit and
/// authentication as the registry; repository authorization does not apply to them.
struct AccountRoutes: Sendable {
    static let loginPath = "/zot/auth/login"
    static let logoutPath = "/zot/auth/logout"
    static let callbackPrefix = "/zot/auth/callback/"
    static let apiKeyPath = "/zot/auth/apikey"

    let services: AccountServices
    let audit: AuditRecorder

    /// Adds the routes to `router`.
    func register(on router: Router<RegistryRequestContext>) {
        if services.sessions != nil, !services.providers.isEmpty {
            router.get(RouterPath(Self.loginPath)) { request, context in try await login(request, context) }
            router.post(RouterPath(Self.loginPath)) { request, context in try await login(request, context) }
            router.get("/zot/auth/callback/:provider") { request, context in try await callback(request, context) }
        }
        if services.sessions != nil {
            router.post(RouterPath(Self.logoutPath)) { request, context in try await logout(request, context) }
        }
        if services.apiKeys != nil {
            router.get(RouterPath(Self.apiKeyPath)) { _, context in try listKeys(context) }
            router.post(RouterPath(Self.apiKeyPath)) { request, context in try await createKey(request, context) }
            router.delete(RouterPath(Self.apiKeyPath)) { request, context in try revokeKeys(request, context) }
        }
    }

    // MARK: OIDC login

    /// Starts a login: remembers state, nonce and the PKCE verifier server-side, then sends the browser to the provider.
    func login(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        guard let sessions = services.sessions else { throw RegistryError(.unsupported, status: 404, message: "login is not configured") }
        let providerName = request.uri.queryParameters.get("provider") ?? "oidc"
        guard let provider = services.providers[providerName] else {
            throw RegistryError(.unsupported, status: 400, message: "unknown login provider \(JSONText.quote(String(providerName.prefix(64))))")
        }
        let pkce = PKCE.generate()
        let pending = PendingLogin(state: RandomToken.make(), nonce: RandomToken.make(), codeVerifier: pkce.verifier,
                                   provider: providerName, callbackUI: services.safeCallback(request.uri.queryParameters.get("callback_ui")),
                                   createdAt: Date(), clientAddress: Self.pendingLoginBucket(context.clientAddress))
        let location: String
        do {
            location = try await provider.authorizationURL(state: pending.state, nonce: pending.nonce, pkce: pkce)
        } catch {
            context.logger.error("OIDC provider unavailable", metadata: ["provider": "\(providerName)", "error": "\(error)"])
            throw RegistryError(.unavailable, detail: "the login provider cannot be reached")
        }
        try sessions.savePendingLogin(pending)
        var response = Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
        // Binds the login to this browser: the callback must come back with the same state in this cookie, so a
        // callback URL captured from someone else's login cannot sign a victim into the attacker's account.
        response.setCookie(loginStateCookie(pending.state, maxAge: Int(SessionStore.pendingLoginLifetime)))
        return response
    }

    /// Finishes a login: checks state (single use), exchanges the code with the PKCE verifier, verifies the ID
    /// token (signature, issuer, audience, expiry, nonce) and opens a session.
    func callback(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        guard let sessions = services.sessions else { throw RegistryError(.unsupported, status: 404, message: "login is not configured") }
        let providerName = context.parameters.get("provider") ?? ""
        let query = request.uri.queryParameters
        guard let state = query.get("state"), !state.isEmpty,
              let browserState = request.cookies[Self.loginStateCookieName]?.value, ConstantTime.equal(browserState, state),
              let pending = try sessions.takePendingLogin(state: state), pending.provider == providerName,
              let provider = services.providers[providerName] else {
            audit.recordAccountEvent(request, context, event: "oidc-login", result: .authFailure, user: nil,
                                     authMethod: Identity.Method.oidcSession.rawValue, reason: "unknown, reused or expired login state")
            throw RegistryError(.unsupported, status: 400,
                                message: "login state is unknown, already used, expired or from another browser: start the login again")
        }
        if let providerError = query.get("error") {
            audit.recordAccountEvent(request, context, event: "oidc-login", result: .authFailure, user: nil,
                                     authMethod: Identity.Method.oidcSession.rawValue, reason: "provider error \(providerError.prefix(64))")
            throw RegistryError(.unauthorized, detail: "the login provider refused the login: \(providerError.prefix(64))")
        }
        guard let code = query.get("code"), !code.isEmpty else {
            throw RegistryError(.unsupported, status: 400, message: "the login callback carries no authorization code")
        }
        let user: OIDCUser
        do {
            user = try await provider.completeLogin(code: code, codeVerifier: pending.codeVerifier, nonce: pending.nonce)
        } catch {
            context.logger.notice("OIDC login failed", metadata: ["provider": "\(providerName)", "error": "\(error)"])
            audit.recordAccountEvent(request, context, event: "oidc-login", result: .authFailure, user: nil,
                                     authMethod: Identity.Method.oidcSession.rawValue, reason: "\(error)")
            throw RegistryError(.unauthorized, detail: "the login could not be verified")
        }
        let (session, cookieValue) = try sessions.create(username: user.username, groups: user.groups, provider: providerName)
        try services.apiKeys?.updateGroups(owner: user.username, groups: user.groups)
        audit.recordAccountEvent(request, context, event: "oidc-login", result: .allow, user: user.username, groups: user.groups,
                                 authMethod: Identity.Method.oidcSession.rawValue, credentialID: session.id)
        var response = Response(status: .found, headers: [.location: pending.callbackUI ?? AccountPages.apiKeysPath, .cacheControl: "no-store"])
        response.setCookie(sessionCookie(cookieValue, maxAge: Int(session.expiresAt.timeIntervalSinceNow)))
        response.setCookie(loginStateCookie("", maxAge: 0))
        return response
    }

    /// Ends the browser session. Form posts (the web page) must carry the session's CSRF token and are redirected
    /// to the login page; other requests get 200 — they reach this handler only from our own origin
    /// (``BrowserOriginMiddleware`` refuses cross-origin cookie requests before).
    func logout(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        guard let sessions = services.sessions else { throw RegistryError(.unsupported, status: 404, message: "login is not configured") }
        let isForm = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
        if let cookieValue = AccountPages.sessionCookieValue(request), let session = try sessions.lookup(cookieValue: cookieValue) {
            if isForm {
                let form = try await AccountPages.formFields(request, context)
                guard let token = form["csrf"], ConstantTime.equal(token, session.csrfToken) else {
                    throw RegistryError(.denied, message: "the form is stale or forged (CSRF token mismatch)")
                }
            }
            try sessions.delete(cookieValue: cookieValue)
            audit.recordAccountEvent(request, context, event: "oidc-logout", result: .allow, user: session.username, groups: session.groups,
                                     authMethod: Identity.Method.oidcSession.rawValue, credentialID: session.id)
        }
        var response = isForm ? Response(status: .seeOther, headers: [.location: AccountPages.loginPath])
                              : Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        response.setCookie(sessionCookie("", maxAge: 0))
        return response
    }

    /// The client address under which pending logins are counted: the IPv4 address, or the /64 of an IPv6 address
    /// (one host usually holds a whole /64, so counting single IPv6 addresses would bound nothing).
    static func pendingLoginBucket(_ address: String) -> String {
        guard let parsed = IPAddress(address), !parsed.isIPv4 else { return address }
        return parsed.bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    static let loginStateCookieName = "zot_login_state"

    /// The short-lived cookie that ties a login's `state` to the browser that started it.
    func loginStateCookie(_ state: String, maxAge: Int) -> Cookie {
        Cookie(name: Self.loginStateCookieName, value: state, maxAge: max(0, maxAge), path: Self.callbackPrefix,
               secure: services.secureCookies, httpOnly: true, sameSite: .lax)
    }

    func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: SessionStore.cookieName, value: value, maxAge: max(0, maxAge), path: "/", secure: services.secureCookies,
               httpOnly: true, sameSite: .lax)
    }

    // MARK: API keys

    /// The signed-in user allowed to manage keys: anyone authenticated except through an API key.
    func keyOwner(_ context: RegistryRequestContext) throws -> Identity {
        let identity = context.identity
        guard !identity.isAnonymous, identity.username != nil else { throw RegistryError(.unauthorized, detail: "sign in to manage API keys") }
        guard identity.method != .apiKey else { throw RegistryError(.denied, message: "an API key cannot manage API keys; sign in") }
        return identity
    }

    func listKeys(_ context: RegistryRequestContext) throws -> Response {
        guard let keys = services.apiKeys else { throw RegistryError(.unsupported, status: 404) }
        let owner = try keyOwner(context)
        let records = try keys.list(owner: owner.username ?? "")
        let refreshTokens = try services.refreshTokens?.list(owner: owner.username ?? "").map { APIKeyJSON.RefreshToken($0) }
        return try APIKeyJSON.response(.ok, APIKeyJSON.List(apiKeys: records.map { APIKeyJSON.Key($0, secret: nil) },
                                                            refreshTokens: refreshTokens))
    }

    /// Identities that may mint keys: a person who signed in (browser session, htpasswd or LDAP password).
    /// Workload credentials (bearer JWTs, client certificates) are short-lived or machine-held and must not turn
    /// into a permanent key that keeps their groups.
    static let keyMintingMethods: Set<Identity.Method> = [.oidcSession, .htpasswd, .ldap]

    func createKey(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        guard let keys = services.apiKeys else { throw RegistryError(.unsupported, status: 404) }
        let owner = try keyOwner(context)
        guard Self.keyMintingMethods.contains(owner.method) else {
            audit.recordAccountEvent(request, context, event: "apikey-create", result: .deny, user: owner.username, groups: owner.groups,
                                     reason: "\(owner.method.rawValue) identities may not create API keys")
            throw RegistryError(.denied, message: "only an interactive sign-in (browser session, htpasswd or LDAP password) may create "
                + "API keys; a \(owner.method == .bearer ? "bearer token" : owner.method.rawValue) identity may not")
        }
        // A cross-site form cannot send JSON without a CORS preflight we never answer: this is the CSRF defence.
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false else {
            throw RegistryError(.unsupported, status: 415, message: "send the key request as application/json")
        }
        var request = request
        let body = try await BodyLimit.collect(&request, upTo: 64 * 1024, what: "the key request")
        let input = try APIKeyJSON.decodeCreate(body)
        let (record, secret): (APIKeyRecord, String)
        do {
            (record, secret) = try keys.create(owner: owner.username ?? "", groups: owner.groups, label: input.label,
                                               expiresAt: input.expiresAt, scopes: input.scopes, ownerSource: owner.method.rawValue)
        } catch {
            // A database failure is ours, not the caller's: 503, with the details only in the log.
            if case .storage = error {
                context.logger.error("API key store failed", metadata: ["error": "\(error)"])
                throw RegistryError(.unavailable, detail: "the API key store is unavailable")
            }
            throw RegistryError(.unsupported, status: 400, message: "\(error)")
        }
        audit.recordAccountEvent(request, context, event: "apikey-create", result: .allow, user: owner.username, groups: owner.groups,
                                 credentialID: record.id)
        return try APIKeyJSON.response(.created, APIKeyJSON.Key(record, secret: secret))
    }

    /// `?id=` revokes one of the caller's keys; `?username=` (admins only) revokes all keys of that user.
    func revokeKeys(_ request: Request, _ context: RegistryRequestContext) throws -> Response {
        guard let keys = services.apiKeys else { throw RegistryError(.unsupported, status: 404) }
        let caller = try keyOwner(context)
        let query = request.uri.queryParameters
        if let target = query.get("username") {
            guard services.isAdmin(caller) else {
                audit.recordAccountEvent(request, context, event: "apikey-revoke-all", result: .deny, user: caller.username, groups: caller.groups,
                                         reason: "not an admin; target \(target.prefix(64))")
                throw RegistryError(.denied, message: "only admins may revoke another user's keys")
            }
            let count = try keys.revokeAll(owner: target)
            audit.recordAccountEvent(request, context, event: "apikey-revoke-all", result: .allow, user: caller.username, groups: caller.groups,
                                     reason: "revoked \(count) key(s) of \(target.prefix(64))")
            return try APIKeyJSON.response(.ok, ["revoked": count])
        }
        guard let id = query.get("id"), !id.isEmpty else {
            throw RegistryError(.unsupported, status: 400, message: "give the key to revoke as ?id=<uuid>")
        }
        guard try keys.revoke(id: id, owner: caller.username ?? "") else {
            throw RegistryError(.unsupported, status: 404, message: "no API key with that id belongs to you")
        }
        audit.recordAccountEvent(request, context, event: "apikey-revoke", result: .allow, user: caller.username, groups: caller.groups,
                                 credentialID: id)
        return try APIKeyJSON.response(.ok, ["revoked": 1])
    }
}
