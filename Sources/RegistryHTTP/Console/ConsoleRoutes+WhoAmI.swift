import Foundation
import Hummingbird
import RegistryCore
import RegistryPolicy

extension ConsoleRoutes {
    /// `/user/whoami?repo=R`: the viewer's user, groups and sign-in method, and for R each action with the rule
    /// that decides it — the `zot-authz test` explanation, from the same ``AccessPolicy``.
    func whoAmIPage(_ request: Request, _ viewer: Viewer) -> Response {
        let session = viewer.session
        var body = "<h1>Who am I</h1><dl id=\"identity\"><dt>User</dt><dd>\(HTML.escape(session.username))</dd>"
        body += "<dt>Groups</dt><dd id=\"groups\">\(session.groups.isEmpty ? "none" : HTML.escape(session.groups.joined(separator: ", ")))</dd>"
        body += "<dt>Signed in with</dt><dd id=\"method\">\(HTML.escape(session.provider))</dd>"
        body += "<dt>Administrator</dt><dd>\(policies.value.isAdmin(viewer.identity) ? "yes (adminPolicy)" : "no")</dd></dl>"
        let repo = request.uri.queryParameters.get("repo").map { String($0) } ?? ""
        body += """
        <h2>My rights on a repository</h2>
        <form method="get" action="\(Self.whoAmIPath)"><label for="repo">Repository</label>
        <input id="repo" name="repo" value="\(HTML.escape(repo))" required><button type="submit">Explain</button></form>
        """
        if !repo.isEmpty {
            guard let repository = RepositoryName(repo) else {
                body += "<p class=\"error\" role=\"alert\">“\(HTML.escape(repo))” is not a valid repository name.</p>"
                return page("Who am I", viewer, body, status: .badRequest)
            }
            body += "<table id=\"rights\"><caption>Rights on \(HTML.escape(repository.value))</caption><thead><tr><th scope=\"col\">Action</th>"
            body += "<th scope=\"col\">Decision</th><th scope=\"col\">Rule</th></tr></thead><tbody>"
            for action in RegistryAction.allCases {
                let verdict = policies.value.decide(viewer.identity, AccessRequirement(repository, action))
                body += "<tr data-action=\"\(action.rawValue)\"><th scope=\"row\">\(action.rawValue)</th>"
                body += "<td class=\"\(verdict.allowed ? "ok" : "error")\">\(verdict.allowed ? "allowed" : "denied")\(verdict.breakGlass ? " (break-glass)" : "")</td>"
                body += "<td>\(HTML.escape(verdict.rule))</td></tr>"
            }
            body += "</tbody></table>"
        }
        return page("Who am I", viewer, body)
    }
}
