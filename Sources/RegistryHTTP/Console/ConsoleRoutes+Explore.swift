import Foundation
import Hummingbird
import RegistryCore

extension ConsoleRoutes {
    /// Repositories per page of `/explore`.
    static let explorePageSize = 50

    /// `/explore?q=&after=`: the repositories the viewer may read (the `_catalog` filter), those whose name contains
    /// `q`, 50 per page in name order, each with its tag count, last push and size.
    func explorePage(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let query = request.uri.queryParameters
        let search = (query.get("q") ?? "").lowercased()
        let policy = policies.value, identity = viewer.identity
        var shown: [RepositoryName] = []
        var cursor: String? = query.get("after").map { String($0) }
        var more = false
        scan: while true {
            let names = try await storage.catalogPage(after: cursor, limit: 500)
            for name in names {
                guard let repository = RepositoryName(name), policy.canRead(identity, repository),
                      search.isEmpty || name.lowercased().contains(search) else { continue }
                if shown.count == Self.explorePageSize { more = true; break scan }
                shown.append(repository)
            }
            guard names.count == 500, let end = names.last else { break }
            cursor = end
        }
        var rows = ""
        for repository in shown {
            let tags = try await storage.tags(repository) ?? []
            let activity = await recordedActivity(repository)
            let lastPush = tags.compactMap { activity?.tags[$0]?.pushedAt }.max()
            let size = await contentSize(repository, tags: tags)
            let link = "\(Self.imagePath)?name=\(ConsoleLayout.query(repository.value))"
            rows += "<tr data-name=\"\(HTML.escape(repository.value.lowercased()))\"><td><a href=\"\(HTML.escape(link))\">"
            rows += "\(HTML.escape(repository.value))</a></td><td>\(tags.count)</td><td>\(Self.time(lastPush))</td>"
            rows += "<td>\(size.partial ? "≥ " : "")\(ConsoleLayout.size(size.bytes))</td></tr>\n"
        }
        var body = """
        <h1>Repositories</h1>
        <form method="get" action="\(Self.explorePath)" role="search">
        <label for="filter">Search by name</label><input id="filter" name="q" type="search" value="\(HTML.escape(search))">
        <button type="submit">Search</button></form>
        <div class="scroll"><table id="repositories"><caption>Repositories you may read</caption>
        <thead><tr><th scope="col">Repository</th><th scope="col">Tags</th><th scope="col">Last push</th><th scope="col">Size</th></tr></thead><tbody>
        \(rows)</tbody></table></div>
        """
        if shown.isEmpty { body += "<p id=\"no-repositories\">No repository you may read\(search.isEmpty ? "" : " matches") yet.</p>" }
        if more, let last = shown.last {
            let next = "\(Self.explorePath)?q=\(ConsoleLayout.query(search))&after=\(ConsoleLayout.query(last.value))"
            body += "<p><a id=\"next-page\" href=\"\(HTML.escape(next))\">Next page</a></p>"
        }
        return page("Repositories", viewer, body)
    }

    /// Tags whose manifests are read to size a repository on the list; beyond them the size is a lower bound.
    static let sizedTagLimit = 100

    /// The bytes the repository's tagged images reference (manifests, configs and layers, each digest once), from
    /// at most ``sizedTagLimit`` tags; `partial` when there were more.
    func contentSize(_ repository: RepositoryName, tags: [String]) async -> (bytes: Int64, partial: Bool) {
        var seen = Set<String>(), bytes: Int64 = 0
        for tag in tags.prefix(Self.sizedTagLimit) {
            guard let stored = try? await storage.manifest(repository, .tag(tag)) else { continue }
            if seen.insert(stored.digest.description).inserted { bytes += Int64(stored.body.count) }
            guard let view = ConsoleManifestView.decode(stored.body) else { continue }
            for entry in (view.layers ?? []) + (view.config.map { [$0] } ?? []) + (view.manifests ?? []) where seen.insert(entry.digest).inserted {
                bytes += entry.size ?? 0
            }
        }
        return (bytes, tags.count > Self.sizedTagLimit)
    }
}
