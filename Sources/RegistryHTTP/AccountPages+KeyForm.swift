import Foundation
import Hummingbird
import RegistryCore
import RegistryMetadata
import RegistryPolicy

/// The key page's creation form (label, expiry in days with the configured maximum shown, up to three repository
/// scopes), its parsing, and the admin list of every user's keys.
extension AccountPages {
    /// Scope rows on the form.
    static let scopeRows = 3
    static let scopeActions: [RegistryAction] = [.read, .create, .update, .delete]

    /// Why a requested scope is refused.
    struct ScopeProblem: Error, CustomStringConvertible {
        let description: String
    }

    func keyForm(_ session: BrowserSession, keys: APIKeyStore, values: [String: String]) -> String {
        let maximumDays = keys.maximumLifetime.map { Int($0 / 86400) }
        let limit = maximumDays.map { "at most \($0) days (the server's maximum)" } ?? "no maximum"
        let days = values["expires_in_days"] ?? String(min(30, maximumDays ?? 30))
        var body = """
        <h2>Create a key</h2>
        <form method="post" action="\(Self.apiKeysPath)">\(csrfField(session))
        <label for="key-label">Label</label><input id="key-label" name="label" required maxlength="100" value="\(HTML.escape(values["label"] ?? ""))">
        <label for="key-days">Expires in days (\(limit))</label>
        <input id="key-days" name="expires_in_days" type="number" min="1"\(maximumDays.map { " max=\"\($0)\"" } ?? "") value="\(HTML.escape(days))">
        <fieldset><legend>Repository scopes (optional: without any, the key has all of your rights)</legend>

        """
        for row in 0..<Self.scopeRows {
            body += "<p><label for=\"scope-\(row)\">Repositories (glob)</label><input id=\"scope-\(row)\" name=\"scope\(row)\" "
            body += "placeholder=\"team/**\" value=\"\(HTML.escape(values["scope\(row)"] ?? ""))\">"
            for action in Self.scopeActions {
                let name = "scope\(row)_\(action.rawValue)"
                body += " <label class=\"inline\"><input type=\"checkbox\" name=\"\(name)\" value=\"yes\"\(values[name] == "yes" ? " checked" : "")> \(action.rawValue)</label>"
            }
            body += "</p>\n"
        }
        body += """
        </fieldset>
        <button type="submit" id="create-key">Create</button>
        </form>

        """
        return body
    }

    /// The scopes the form asks for. Each names a glob and at least one action; each action must be one the user
    /// may perform on some repository the glob covers (the glob itself when it is a plain name, or an existing
    /// repository it matches) — a scope never widens a key, but a scope that can never be used is a typo.
    func requestedScopes(_ form: [String: String], _ session: BrowserSession) async -> Result<[AccessScope], ScopeProblem> {
        var scopes: [AccessScope] = []
        let identity = Identity(username: session.username, groups: session.groups, method: .oidcSession)
        for row in 0..<Self.scopeRows {
            let pattern = (form["scope\(row)"] ?? "").trimmingHTTPWhitespace()
            let actions = Set(Self.scopeActions.filter { form["scope\(row)_\($0.rawValue)"] == "yes" })
            if pattern.isEmpty {
                if !actions.isEmpty { return .failure(ScopeProblem(description: "Scope \(row + 1) has actions but no repositories.")) }
                continue
            }
            let glob: GlobPattern
            do {
                glob = try GlobPattern(String(pattern))
            } catch {
                return .failure(ScopeProblem(description: "Scope \(row + 1): “\(pattern)” is not a repository glob: \(error)"))
            }
            guard !actions.isEmpty else { return .failure(ScopeProblem(description: "Scope \(row + 1) (\(pattern)) needs at least one action.")) }
            if let console {
                for action in actions.sorted() where await !console.mayUse(identity, glob, action) {
                    return .failure(ScopeProblem(description: "Scope \(row + 1): you may not \(action.rawValue) on any repository matching \(pattern)."))
                }
            }
            scopes.append(AccessScope(repositories: String(pattern), actions: actions))
        }
        return .success(scopes)
    }

    static func scopeText(_ scopes: [AccessScope]) -> String {
        guard !scopes.isEmpty else { return "all your rights" }
        return scopes.map { "\(HTML.escape($0.repositories)): \($0.actions.sorted().map(\.rawValue).joined(separator: ", "))" }
            .joined(separator: "<br>")
    }

    /// For admins (`adminPolicy`): every user's keys, each revocable.
    func adminKeySection(_ session: BrowserSession, keys: APIKeyStore) throws -> String {
        guard console != nil, services.isAdmin(Identity(username: session.username, groups: session.groups, method: .oidcSession)) else { return "" }
        var body = """
        <h2>All users' keys (admin)</h2>
        <div class="scroll"><table id="all-api-keys"><thead><tr><th scope="col">Owner</th><th scope="col">Label</th><th scope="col">Scopes</th>
        <th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="skip">Actions</span></th></tr></thead><tbody>

        """
        for record in try keys.listAll() {
            body += "<tr data-id=\"\(HTML.escape(record.id))\"><td>\(HTML.escape(record.owner))</td><td>\(HTML.escape(record.label))</td>"
            body += "<td>\(Self.scopeText(record.scopes))</td><td>\(record.expiresAt.map(APIKeyJSON.format) ?? "never")</td>"
            body += "<td>\(record.lastUsedAt.map(APIKeyJSON.format) ?? "never")</td>"
            body += "<td><form method=\"post\" action=\"\(Self.revokePath)\">\(csrfField(session))"
            body += "<input type=\"hidden\" name=\"id\" value=\"\(HTML.escape(record.id))\"><input type=\"hidden\" name=\"owner\" value=\"\(HTML.escape(record.owner))\">"
            body += "<label class=\"inline\"><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> confirm</label>"
            body += "<button type=\"submit\" aria-label=\"Revoke \(HTML.escape(record.owner))'s key \(HTML.escape(record.label))\">Revoke</button></form></td></tr>\n"
        }
        return body + "</tbody></table></div>\n"
    }
}

extension ConsoleRoutes {
    /// Whether `identity` may perform `action` on some repository `glob` covers: the glob itself when it is a plain
    /// name, else the first existing repositories it matches (at most 10,000 looked at).
    func mayUse(_ identity: Identity, _ glob: GlobPattern, _ action: RegistryAction) async -> Bool {
        let policy = policies.value
        if let name = RepositoryName(glob.pattern), policy.decide(identity, AccessRequirement(name, action)).allowed { return true }
        var cursor: String?
        for _ in 0..<10 {
            guard let names = try? await storage.catalogPage(after: cursor, limit: 1000) else { return false }
            for name in names where glob.matches(name) {
                if let repository = RepositoryName(name), policy.decide(identity, AccessRequirement(repository, action)).allowed { return true }
            }
            guard names.count == 1000, let last = names.last else { return false }
            cursor = last
        }
        return false
    }
}
