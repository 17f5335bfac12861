import Foundation
import Hummingbird
import HTTPTypes
import RegistryCore

/// CSRF defence for requests authenticated by the browser session cookie.
///
/// A state-changing request (any method but GET, HEAD, OPTIONS) that the session cookie authenticated must show
/// it comes from this registry's own pages: `Sec-Fetch-Site: same-origin`, or — when the browser sends no
/// `Sec-Fetch-Site` — an `Origin` equal to this server's origin (`http.externalUrl`, or the request's `Host`).
/// `SameSite=Lax` alone does not stop a sibling origin (another port or subdomain of the same site).
/// The web forms (key page, revoke, logout) are exempt here because they check the session's CSRF token
/// themselves, which is the other accepted proof. Everything else is 403 `DENIED`, audited.
struct BrowserOriginMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    /// The origin of `http.externalUrl` (`scheme://host[:port]`), when configured.
    let externalOrigin: String?
    let audit: AuditRecorder

    /// Form posts whose handlers verify the session's CSRF token.
    static let formPathsCheckingToken: Set<String> = [AccountPages.apiKeysPath, AccountPages.revokePath, AccountRoutes.logoutPath]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.identity.method == .oidcSession, ![.get, .head, .options].contains(request.method) else {
            return try await next(request, context)
        }
        if Self.isForm(request), Self.formPathsCheckingToken.contains(request.uri.path) { return try await next(request, context) }
        guard Self.isSameOrigin(request, externalOrigin: externalOrigin) else {
            audit.record(request, context, result: .deny, reason: "cross-origin request with a session cookie (CSRF)")
            throw RegistryError(.denied, message: "a request authenticated by the session cookie must come from this registry's own pages "
                + "(same-origin Origin or Sec-Fetch-Site, or the form's CSRF token)")
        }
        return try await next(request, context)
    }

    static func isForm(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    /// Whether the browser says the request comes from our own origin.
    static func isSameOrigin(_ request: Request, externalOrigin: String?) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
            return site.trimmingCharacters(in: .whitespaces).lowercased() == "same-origin"
        }
        guard let origin = request.headers[HTTPField.Name("Origin")!]?.trimmingCharacters(in: .whitespaces).lowercased(),
              origin != "null", let parsed = CallbackTarget.Origin(parsing: origin) else { return false }
        if let externalOrigin, CallbackTarget(parsing: externalOrigin)?.origin == parsed { return true }
        guard let host = request.head.authority ?? request.headers[HTTPField.Name("Host")!] else { return false }
        // The browser's Host names the server it talks to; the scheme cannot differ on one listener.
        return CallbackTarget.Origin(parsing: "\(parsed.scheme)://\(host)") == parsed
    }
}
