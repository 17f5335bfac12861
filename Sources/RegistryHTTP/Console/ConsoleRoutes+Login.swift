import Foundation
import Hummingbird
import RegistryAuth
import RegistryAuthCore
import RegistryCore
import RegistryMetadata

extension ConsoleRoutes {
    /// The sign-in page: one button per OIDC provider ("Sign in with <name>"), and the password form when
    /// htpasswd or LDAP is configured. The form's CSRF token is bound to a `SameSite=Strict` cookie.
    func loginPage(_ request: Request, message: String?, status: HTTPResponse.Status = .ok, username: String = "") throws -> Response {
        if try viewer(request) != nil, message == nil { return Self.redirect(Self.explorePath) }
        var body = "<h1>Sign in to zot-authz</h1>\n"
        if let message { body += "<p class=\"error\" id=\"message\" role=\"alert\">\(HTML.escape(message))</p>\n" }
        for key in services.providers.keys.sorted() {
            let name = services.providers[key]?.config.name.flatMap { $0.isEmpty ? nil : $0 } ?? (key == "oidc" ? "OIDC" : key)
            let target = "\(AccountRoutes.loginPath)?provider=\(ConsoleLayout.query(key))&callback_ui=\(Self.explorePath)"
            body += "<p><a class=\"button\" id=\"login-\(HTML.escape(key))\" href=\"\(HTML.escape(target))\">Sign in with \(HTML.escape(name))</a></p>\n"
        }
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom) on Linux.
        var generator = SystemRandomNumberGenerator()
        let token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        if options.passwordLogin != nil {
            body += """
            <form method="post" action="\(Self.loginPath)" aria-labelledby="password-heading">
            <h2 id="password-heading">With your user name and password</h2>
            <input type="hidden" name="csrf" value="\(token)">
            <label for="login-username">User name</label><input id="login-username" name="username" autocomplete="username" required value="\(HTML.escape(username))">
            <label for="login-password">Password</label><input id="login-password" name="password" type="password" autocomplete="current-password" required>
            <p><button type="submit" id="login-submit">Sign in</button></p>
            </form>
            """
        }
        if services.providers.isEmpty && options.passwordLogin == nil {
            body += "<p>No sign-in method is configured (OIDC providers, htpasswd or LDAP).</p>"
        }
        var response = page("Sign in", nil, body, status: status)
        response.setCookie(Cookie(name: Self.loginCSRFCookie, value: token, maxAge: 900, path: Self.loginPath,
                                  secure: services.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    /// `POST /login`: checks the form's token against its cookie, spends the user name's login budget, checks the
    /// password against htpasswd/LDAP only, and opens a session (a new id; the old cookie, if any, is replaced).
    func passwordLogin(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        guard let chain = options.passwordLogin else { throw RegistryError(.unsupported, status: 404, message: "password sign-in is not configured") }
        let form = try await AccountPages.formFields(request, context)
        guard let token = form["csrf"], let cookie = request.cookies[Self.loginCSRFCookie]?.value, !cookie.isEmpty,
              ConstantTime.equal(token, cookie) else {
            return try loginPage(request, message: "The sign-in form expired; please try again.", status: .forbidden)
        }
        let username = form["username"] ?? "", password = form["password"] ?? ""
        guard !username.isEmpty, !password.isEmpty, username.utf8.count <= 256 else {
            return try loginPage(request, message: "Enter your user name and password.", status: .badRequest, username: username)
        }
        if let budget = loginBudget {
            try LoginThrottle.enforce(budget, name: username, request: request, context: context, audit: audit, metrics: nil)
        }
        let header = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        let identity: Identity
        do {
            identity = try await chain.authenticate(AuthenticationRequest(authorizationHeaders: [header]))
        } catch {
            if error.kind == .invalidCredentials { loginBudget?.recordFailure(for: username) }
            audit.recordAccountEvent(request, context, event: "console-login", result: .authFailure, user: username,
                                     authMethod: "password", reason: error.kind.rawValue)
            if error.kind == .backendUnavailable {
                return try loginPage(request, message: "The directory cannot be reached; try again later.", status: .serviceUnavailable,
                                     username: username)
            }
            await options.failDelay.apply(for: error)
            return try loginPage(request, message: "Wrong user name or password.", status: .unauthorized, username: username)
        }
        guard let user = identity.username, [.htpasswd, .ldap].contains(identity.method) else {
            await options.failDelay.apply()
            return try loginPage(request, message: "Wrong user name or password.", status: .unauthorized, username: username)
        }
        loginBudget?.recordSuccess(for: username)
        if let old = AccountPages.sessionCookieValue(request), !old.isEmpty { try? sessions.delete(cookieValue: old) }
        let (session, cookieValue) = try sessions.create(username: user, groups: identity.groups, provider: identity.method.rawValue)
        audit.recordAccountEvent(request, context, event: "console-login", result: .allow, user: user, groups: identity.groups,
                                 authMethod: identity.method.rawValue, credentialID: session.id)
        var response = Self.redirect(Self.explorePath)
        response.setCookie(Cookie(name: SessionStore.cookieName, value: cookieValue, maxAge: Int(sessions.lifetime), path: "/",
                                  secure: services.secureCookies, httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: Self.loginCSRFCookie, value: "", maxAge: 0, path: Self.loginPath,
                                  secure: services.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }
}
