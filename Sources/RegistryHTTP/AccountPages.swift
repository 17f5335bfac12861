import Foundation
import Hummingbird
import NIOCore
import RegistryAuth
import RegistryAuthCore
import RegistryCore
import RegistryMetadata

/// The server-rendered web pages (no JavaScript): a login page and the API key page (create with label and
/// expiry, see the key once, list, revoke). Forms carry the session's CSRF token; the session cookie is
/// `SameSite=Lax`, `HttpOnly`, and `Secure` under TLS.
struct AccountPages: Sendable {
    static let loginPath = "/auth/login"
    static let apiKeysPath = "/auth/apikeys"
    static let revokePath = "/auth/apikeys/revoke"
    static let revokeRefreshTokenPath = "/auth/apikeys/revoke-refresh-token"

    let services: AccountServices
    let audit: AuditRecorder
    /// The web console, when `extensions.ui` is on: `/auth/login` shows its sign-in page and the key page is also
    /// served at Zot's `/user/apikey`, inside the console's frame.
    var console: ConsoleRoutes? = nil

    func register(on router: Router<RegistryRequestContext>) {
        guard let sessions = services.sessions else { return }
        router.get(RouterPath(Self.loginPath)) { request, _ in
            try console?.loginPage(request, message: nil) ?? loginPage()
        }
        guard let keys = services.apiKeys else { return }
        let keyPaths = [Self.apiKeysPath] + (console == nil ? [] : [ConsoleRoutes.keysPath])
        for path in keyPaths {
            router.get(RouterPath(path)) { request, _ in
                guard let session = try Self.session(request, sessions) else { return Self.redirectToLogin() }
                return try keysPage(session, keys: keys, newKey: nil, message: nil)
            }
            router.post(RouterPath(path)) { request, context in
                guard let session = try Self.session(request, sessions) else { return Self.redirectToLogin() }
                let form = try await Self.checkedForm(request, context, session: session)
                return try await createKey(request, context, session: session, form: form, keys: keys)
            }
        }
        router.post(RouterPath(Self.revokePath)) { request, context in
            guard let session = try Self.session(request, sessions) else { return Self.redirectToLogin() }
            let form = try await Self.checkedForm(request, context, session: session)
            // The console asks for a confirmation tick (the old page does not have it).
            if console != nil && form["confirm"] != "yes" {
                return try keysPage(session, keys: keys, newKey: nil, message: "Tick “confirm” to revoke a key.", status: .badRequest)
            }
            // An admin (adminPolicy) may revoke another user's key from the admin list (`owner`).
            let owner = form["owner"].flatMap { $0.isEmpty ? nil : $0 } ?? session.username
            let isAdmin = services.isAdmin(Identity(username: session.username, groups: session.groups, method: .oidcSession))
            if owner != session.username && !isAdmin {
                audit.recordAccountEvent(request, context, event: "apikey-revoke", result: .deny, user: session.username,
                                         groups: session.groups, reason: "not an admin; key of \(owner.prefix(64))")
                throw RegistryError(.denied, message: "only admins may revoke another user's keys")
            }
            if let id = form["id"], try keys.revoke(id: id, owner: owner) {
                audit.recordAccountEvent(request, context, event: "apikey-revoke", result: .allow, user: session.username,
                                         groups: session.groups, authMethod: Identity.Method.oidcSession.rawValue, credentialID: id,
                                         reason: owner == session.username ? nil : "admin revoked a key of \(owner.prefix(64))")
            }
            return Response(status: .seeOther, headers: [.location: Self.apiKeysPath])
        }
        guard let refreshTokens = services.refreshTokens else { return }
        router.post(RouterPath(Self.revokeRefreshTokenPath)) { request, context in
            guard let session = try Self.session(request, sessions) else { return Self.redirectToLogin() }
            let form = try await Self.checkedForm(request, context, session: session)
            if console != nil && form["confirm"] != "yes" {
                return try keysPage(session, keys: keys, newKey: nil, message: "Tick “confirm” to revoke a refresh token.", status: .badRequest)
            }
            if let id = form["id"], try refreshTokens.revoke(id: id, owner: session.username) {
                audit.recordAccountEvent(request, context, event: "refresh-token-revoked", result: .allow, user: session.username,
                                         groups: session.groups, authMethod: Identity.Method.oidcSession.rawValue, credentialID: id)
            }
            return Response(status: .seeOther, headers: [.location: Self.apiKeysPath])
        }
    }

    func loginPage() -> Response {
        var links = ""
        for name in services.providers.keys.sorted() {
            let target = "\(AccountRoutes.loginPath)?provider=\(name)&callback_ui=\(Self.apiKeysPath)"
            links += "<p><a class=\"button\" id=\"login-\(HTML.escape(name))\" href=\"\(HTML.escape(target))\">Sign in with \(name == "oidc" ? "OIDC" : HTML.escape(name))</a></p>\n"
        }
        if links.isEmpty { links = "<p>No login provider is configured.</p>" }
        return HTML.page(title: "Sign in", body: "<h1>zot-authz</h1>\n\(links)")
    }

    func keysPage(_ session: BrowserSession, keys: APIKeyStore, newKey: String?, message: String?,
                  values: [String: String] = [:], status: HTTPResponse.Status = .ok) throws -> Response {
        let records = try keys.list(owner: session.username)
        var body = "<h1>API keys</h1>\n"
        if console == nil {
            body += "<p>Signed in as <strong id=\"username\">\(HTML.escape(session.username))</strong>"
            if !session.groups.isEmpty { body += " (groups: \(HTML.escape(session.groups.joined(separator: ", "))))" }
            body += "</p>\n"
            body += "<form method=\"post\" action=\"\(AccountRoutes.logoutPath)\">\(csrfField(session))<button type=\"submit\" id=\"logout\">Sign out</button></form>\n"
        }
        if let message { body += "<p class=\"error\" id=\"message\" role=\"alert\">\(HTML.escape(message))</p>\n" }
        if let newKey {
            body += "<div class=\"key\"><p>Your new key — copy it now, it is shown only once. Use it as the password with your user name.</p>"
            body += "<pre id=\"new-api-key\">\(HTML.escape(newKey))</pre>"
            if let console {
                let login = "skopeo login --username \(session.username) --password-stdin \(console.options.registryHost)"
                body += ConsoleLayout.copyButton(newKey, label: "Copy the new key")
                body += "<p>Log in with it: <code id=\"login-line\">echo '<key>' | \(HTML.escape(login))</code> (or the same with <code>podman login</code>).</p>"
            }
            body += "</div>\n"
        }
        body += keyForm(session, keys: keys, values: values)
        body += """
        <h2>Your keys</h2>
        <div class="scroll"><table id="api-keys"><thead><tr><th scope="col">Label</th><th scope="col">Scopes</th><th scope="col">Created</th>
        <th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="skip">Actions</span></th></tr></thead><tbody>

        """
        for record in records {
            body += "<tr data-id=\"\(HTML.escape(record.id))\"><td>\(HTML.escape(record.label))</td><td>\(Self.scopeText(record.scopes))</td>"
            body += "<td>\(APIKeyJSON.format(record.createdAt))</td><td>\(record.expiresAt.map(APIKeyJSON.format) ?? "never")</td>"
            body += "<td>\(record.lastUsedAt.map(APIKeyJSON.format) ?? "never")</td>"
            body += "<td><form method=\"post\" action=\"\(Self.revokePath)\">\(csrfField(session))"
            body += "<input type=\"hidden\" name=\"id\" value=\"\(HTML.escape(record.id))\">\(confirmField)"
            body += "<button type=\"submit\" aria-label=\"Revoke key \(HTML.escape(record.label))\">Revoke</button></form></td></tr>\n"
        }
        body += "</tbody></table></div>\n"
        body += try refreshTokenSection(session)
        body += try adminKeySection(session, keys: keys)
        if console != nil {
            return ConsoleLayout.page(title: "API keys", user: session.username, csrf: session.csrfToken, body: body, status: status)
        }
        var response = HTML.page(title: "API keys", body: body)
        response.status = status
        return response
    }

    /// The user's refresh tokens (what `docker login` keeps as `identitytoken`), each with a revoke button.
    func refreshTokenSection(_ session: BrowserSession) throws -> String {
        guard let refreshTokens = services.refreshTokens else { return "" }
        var body = """
        <h2>Refresh tokens</h2>
        <p>Issued by the token service to clients that asked for offline access (<code>docker login</code> keeps one as its identity token).</p>
        <table id="refresh-tokens"><thead><tr><th>Client</th><th>Created</th><th>Expires</th><th>Last used</th><th></th></tr></thead><tbody>

        """
        for record in try refreshTokens.list(owner: session.username) {
            body += "<tr data-id=\"\(HTML.escape(record.id))\"><td>\(HTML.escape(record.clientID ?? "—"))</td>"
            body += "<td>\(APIKeyJSON.format(record.createdAt))</td><td>\(APIKeyJSON.format(record.expiresAt))</td>"
            body += "<td>\(record.lastUsedAt.map(APIKeyJSON.format) ?? "never")</td>"
            body += "<td><form method=\"post\" action=\"\(Self.revokeRefreshTokenPath)\">\(csrfField(session))"
            body += "<input type=\"hidden\" name=\"id\" value=\"\(HTML.escape(record.id))\">\(confirmField)<button type=\"submit\">Revoke</button></form></td></tr>\n"
        }
        return body + "</tbody></table>\n"
    }

    func createKey(_ request: Request, _ context: RegistryRequestContext, session: BrowserSession, form: [String: String],
                   keys: APIKeyStore) async throws -> Response {
        // A refused form comes back with what was typed (never a secret: the form has none).
        func refuse(_ message: String) throws -> Response {
            try keysPage(session, keys: keys, newKey: nil, message: message, values: form, status: .badRequest)
        }
        let label = form["label"] ?? ""
        var expiresAt: Date?
        if let text = form["expires_in_days"], !text.isEmpty {
            guard let days = Int(text), (1...36500).contains(days) else {
                return try refuse("Expiry must be a whole number of days between 1 and 36500.")
            }
            expiresAt = Date().addingTimeInterval(Double(days) * 86400)
        }
        let scopes: [AccessScope]
        switch await requestedScopes(form, session) {
        case .success(let parsed): scopes = parsed
        case .failure(let problem): return try refuse(problem.description)
        }
        do {
            // A console password sign-in records its directory, so the key dies with the account (APIKeyOwnerCheck).
            let source = [Identity.Method.htpasswd.rawValue, Identity.Method.ldap.rawValue].contains(session.provider)
                ? session.provider : Identity.Method.oidcSession.rawValue
            let (record, secret) = try keys.create(owner: session.username, groups: session.groups, label: label, expiresAt: expiresAt,
                                                  scopes: scopes, ownerSource: source)
            audit.recordAccountEvent(request, context, event: "apikey-create", result: .allow, user: session.username, groups: session.groups,
                                     authMethod: Identity.Method.oidcSession.rawValue, credentialID: record.id)
            var response = try keysPage(session, keys: keys, newKey: secret, message: nil)
            response.status = .created
            return response
        } catch {
            if case APIKeyError.storage = error {
                context.logger.error("API key store failed", metadata: ["error": "\(error)"])
                return try refuse("The key was not created: the key store is unavailable.")
            }
            return try refuse("The key was not created: \(error)")
        }
    }

    /// The confirmation tick of revoke forms in the console (absent on the old page).
    var confirmField: String {
        console == nil ? "" : "<label class=\"inline\"><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> confirm</label>"
    }

    func csrfField(_ session: BrowserSession) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(session.csrfToken))\">"
    }

    static func redirectToLogin() -> Response {
        Response(status: .seeOther, headers: [.location: loginPath, .cacheControl: "no-store"])
    }

    static func sessionCookieValue(_ request: Request) -> String? {
        request.cookies[SessionStore.cookieName]?.value
    }

    static func session(_ request: Request, _ sessions: SessionStore) throws -> BrowserSession? {
        guard let value = sessionCookieValue(request), !value.isEmpty else { return nil }
        return try sessions.lookup(cookieValue: value)
    }

    /// Reads a urlencoded form and checks its CSRF token against the session's.
    static func checkedForm(_ request: Request, _ context: RegistryRequestContext, session: BrowserSession) async throws -> [String: String] {
        let form = try await formFields(request, context)
        guard let token = form["csrf"], ConstantTime.equal(token, session.csrfToken) else {
            throw RegistryError(.denied, message: "the form is stale or forged (CSRF token mismatch); reload the page")
        }
        return form
    }

    /// The fields of an `application/x-www-form-urlencoded` body (at most 16 KiB).
    static func formFields(_ request: Request, _ context: RegistryRequestContext) async throws -> [String: String] {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false else {
            throw RegistryError(.unsupported, status: 415, message: "expected a form (application/x-www-form-urlencoded)")
        }
        var request = request
        let buffer = try await BodyLimit.collect(&request, upTo: 16 * 1024, what: "the form")
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let key = parts.first else { continue }
            fields[decode(key)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

/// Minimal HTML rendering with escaping and defensive headers.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func page(title: String, body: String) -> Response {
        let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>\(escape(title)) · zot-authz</title>
        <style>body{font-family:sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem}
        pre{background:#f4f4f4;padding:.5rem;overflow-x:auto}table{border-collapse:collapse}
        td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}.error{color:#a00}
        label{display:block;margin:.4rem 0}</style></head>
        <body>
        \(body)
        </body></html>
        """
        return Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            .init("X-Frame-Options")!: "DENY",
            .init("Referrer-Policy")!: "no-referrer",
            .init("X-Content-Type-Options")!: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
