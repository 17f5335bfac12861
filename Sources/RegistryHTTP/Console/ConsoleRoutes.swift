import Foundation
import Hummingbird
import RegistryAuth
import RegistryAuthCore
import RegistryCore
import RegistryMetadata
import RegistryPolicy
import RegistryRetention

/// The web console (`extensions.ui`) at Zot's UI paths: `/` (the repository list when signed in, else the sign-in
/// page), `/login` (a button per OIDC provider, labelled with its `name`, and a user-name/password form when
/// htpasswd or LDAP is configured), `/user/apikey` (the key page), `/explore` and `/image` (browsing what the viewer
/// may read, decided by the same ``AccessPolicy`` as `_catalog`), `/user/whoami` (the viewer's rights explained).
///
/// Pages are server-rendered and work without JavaScript; every form carries the session's CSRF token (the sign-in
/// form a token of its own, bound to a cookie); a repository the viewer may not read answers exactly like one that
/// does not exist (404).
struct ConsoleRoutes: Sendable {
    static let loginPath = "/login"
    static let keysPath = "/user/apikey"
    static let explorePath = "/explore"
    static let imagePath = "/image"
    static let deleteTagPath = "/image/delete-tag"
    static let whoAmIPath = "/user/whoami"
    static let loginCSRFCookie = "zot_console_login"

    let services: AccountServices
    let sessions: SessionStore
    let options: ConsoleOptions
    let storage: any RegistryStorageBackend
    let policies: Reloadable<AccessPolicy>
    let audit: AuditRecorder
    let loginBudget: LoginFailureBudget?
    /// Push and pull times (and pushers), when recorded; shown as recorded (events reach the store within seconds).
    var activity: (any ActivityStore)? = nil

    func register(on router: Router<RegistryRequestContext>) {
        router.get("/") { request, _ in
            try viewer(request) == nil ? Self.redirect(Self.loginPath) : Self.redirect(Self.explorePath)
        }
        router.get(RouterPath(Self.loginPath)) { request, _ in try loginPage(request, message: nil) }
        router.post(RouterPath(Self.loginPath)) { request, context in try await passwordLogin(request, context) }
        router.get(RouterPath(ConsoleLayout.scriptPath)) { _, _ in ConsoleLayout.scriptResponse() }
        router.get(RouterPath(Self.explorePath)) { request, _ in
            guard let viewer = try viewer(request) else { return Self.redirect(Self.loginPath) }
            return try await explorePage(request, viewer)
        }
        router.get(RouterPath(Self.imagePath)) { request, _ in
            guard let viewer = try viewer(request) else { return Self.redirect(Self.loginPath) }
            return try await imagePage(request, viewer)
        }
        router.post(RouterPath(Self.deleteTagPath)) { request, context in
            guard let viewer = try viewer(request) else { return Self.redirect(Self.loginPath) }
            return try await deleteTag(request, context, viewer)
        }
        router.get(RouterPath(Self.whoAmIPath)) { request, _ in
            guard let viewer = try viewer(request) else { return Self.redirect(Self.loginPath) }
            return whoAmIPage(request, viewer)
        }
    }

    /// A signed-in browser: the session and the identity the registry gives its cookie.
    struct Viewer {
        let session: BrowserSession
        var identity: Identity {
            Identity(username: session.username, groups: session.groups, method: .oidcSession, credentialID: session.id)
        }
    }

    func viewer(_ request: Request) throws -> Viewer? {
        try AccountPages.session(request, sessions).map(Viewer.init)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    func page(_ title: String, _ viewer: Viewer?, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        ConsoleLayout.page(title: title, user: viewer?.session.username, csrf: viewer?.session.csrfToken, body: body, status: status)
    }

    /// The repository's recorded pushes and pulls, or none.
    func recordedActivity(_ repository: RepositoryName) async -> RepositoryActivity? {
        guard let activity else { return nil }
        return try? await activity.activity(of: repository.value)
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + " UTC"
    }

    /// The answer for a repository or image the viewer may not read or that does not exist: the same either way.
    func notFound(_ viewer: Viewer) -> Response {
        page("Not found", viewer, "<h1>Not found</h1><p>There is no such repository or image, or you may not read it.</p>"
             + "<p><a href=\"\(Self.explorePath)\">Back to the repositories</a></p>", status: .notFound)
    }
}
