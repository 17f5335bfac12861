/// What a `/v2/…` request addresses, parsed from method and path before any handler runs.
///
/// Parsing lives here (not in the HTTP layer) so that authorization, audit and handlers agree on
/// the repository and the operation, and so it can be table-tested without a server.
public enum RegistryEndpoint: Sendable, Equatable {
    /// `GET /v2/` — API version check.
    case base
    /// `GET /v2/_catalog`.
    case catalog
    /// `GET /v2/<name>/tags/list`.
    case tagsList(RepositoryName)
    /// `GET|HEAD|PUT|DELETE /v2/<name>/manifests/<reference>`.
    case manifest(RepositoryName, Reference)
    /// `GET|HEAD|DELETE /v2/<name>/blobs/<digest>`.
    case blob(RepositoryName, Digest)
    /// `POST /v2/<name>/blobs/uploads/`.
    case startUpload(RepositoryName)
    /// `GET|PATCH|PUT|DELETE /v2/<name>/blobs/uploads/<id>`.
    case upload(RepositoryName, String)
    /// `GET /v2/<name>/referrers/<digest>`.
    case referrers(RepositoryName, Digest)

    /// The repository the request addresses, if any.
    public var repository: RepositoryName? {
        switch self {
        case .base, .catalog: return nil
        case .tagsList(let r), .manifest(let r, _), .blob(let r, _), .startUpload(let r),
             .upload(let r, _), .referrers(let r, _): return r
        }
    }

    /// Parses a request path (without query). Throws `RegistryError` for a malformed name,
    /// digest or reference, and returns `nil` for a path that is not a registry route at all.
    public static func parse(path: String) throws(RegistryError) -> RegistryEndpoint? {
        guard path.hasPrefix("/v2") else { return nil }
        var rest = path.dropFirst(3)
        if rest.isEmpty || rest == "/" { return .base }
        guard rest.first == "/" else { return nil }
        rest = rest.dropFirst()
        if rest == "_catalog" { return .catalog }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        // Find the last route keyword with a valid shape after it; names may themselves contain
        // "blobs" or "manifests" as components, so search from the end.
        let n = parts.count
        func name(_ count: Int) throws(RegistryError) -> RepositoryName {
            let text = parts[0..<count].joined(separator: "/")
            guard let name = RepositoryName(text) else {
                throw RegistryError(.nameInvalid, detail: "invalid repository name \"\(text.prefix(300))\"")
            }
            return name
        }
        if n >= 3, parts[n - 2] == "tags", parts[n - 1] == "list" {
            return .tagsList(try name(n - 2))
        }
        if n >= 4, parts[n - 3] == "blobs", parts[n - 2] == "uploads" {
            let id = String(parts[n - 1])
            if id.isEmpty { return .startUpload(try name(n - 3)) }
            return .upload(try name(n - 3), id)
        }
        if n >= 3, parts[n - 2] == "blobs", parts[n - 1] == "uploads" {
            return .startUpload(try name(n - 2))
        }
        if n >= 2, parts[n - 2] == "manifests" {
            let repository = try name(n - 2)
            guard let reference = Reference(parts[n - 1]) else {
                if parts[n - 1].contains(":") {
                    throw RegistryError(.digestInvalid, detail: "invalid digest \"\(parts[n - 1].prefix(200))\"")
                }
                throw RegistryError(.manifestInvalid, status: 400, message: "invalid tag", detail: "invalid reference \"\(parts[n - 1].prefix(200))\"")
            }
            return .manifest(repository, reference)
        }
        if n >= 2, parts[n - 2] == "blobs" {
            let repository = try name(n - 2)
            guard let digest = Digest(parts[n - 1]) else {
                throw RegistryError(.digestInvalid, detail: "invalid digest \"\(parts[n - 1].prefix(200))\"")
            }
            return .blob(repository, digest)
        }
        if n >= 2, parts[n - 2] == "referrers" {
            let repository = try name(n - 2)
            guard let digest = Digest(parts[n - 1]) else {
                throw RegistryError(.digestInvalid, detail: "invalid digest \"\(parts[n - 1].prefix(200))\"")
            }
            return .referrers(repository, digest)
        }
        return nil
    }
}
