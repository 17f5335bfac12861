import Hummingbird
import RegistryCore

extension RegistryHandlers {
    /// The `_catalog` page the caller asked for (`n`, `last`), counting only repositories the caller may read, and the
    /// query of the next page. It walks the storage's sorted repository index from `last` in batches and stops once it
    /// holds one name more than the page (which proves a next page exists): the cost is the page plus the names the
    /// caller may not read in between, not the number of repositories. Without `n`, every visible name is returned.
    func visibleCatalogPage(_ request: Request, _ identity: Identity) async throws -> ([String], String?) {
        let query = request.uri.queryParameters
        let limit = query.get("n").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let wanted = limit.map { $0 + 1 }
        let batch = min(max(wanted ?? 1000, 100), 1000)
        var visible: [String] = []
        var cursor: String? = query.get("last").map { String($0) }
        scan: while true {
            let names = try await storage.catalogPage(after: cursor, limit: batch)
            for name in names where RepositoryName(name).map({ canRead(identity, $0) }) ?? false {
                visible.append(name)
                if let wanted, visible.count >= wanted { break scan }
            }
            guard names.count == batch, let end = names.last else { break }
            cursor = end
        }
        guard let limit, visible.count > limit else { return (visible, nil) }
        let page = Array(visible.prefix(limit))
        guard let lastShown = page.last else { return (page, nil) }
        return (page, "n=\(limit)&last=\(Pagination.percentEncode(lastShown))")
    }
}
