import Hummingbird
import HTTPTypes
import NIOCore
import RegistryCore
import RegistryRetention
import RegistryStorage

/// Storage a registry needs: blobs and manifests.
public typealias RegistryStorageBackend = BlobStore & ManifestStore

/// The OCI Distribution Spec 1.1 handlers. They assume authentication and authorization have
/// already run (the pipeline wraps them) and only deal with content.
struct RegistryHandlers: Sendable {
    let storage: any RegistryStorageBackend
    let fileIO = FileIO()
    /// Whether the caller may read a repository (filters the catalog and automatic mounts).
    typealias ReadCheck = @Sendable (Identity, RepositoryName) -> Bool
    let canRead: ReadCheck
    /// Caps open upload sessions per user and per repository (`nil`: no cap).
    var uploadSessions: OpenUploadSessions? = nil
    /// Records manifest pushes and pulls for retention (`nil`: not recorded).
    var activity: ActivityRecorder? = nil
    /// `extensions.lint` (`nil`: off).
    var linter: ManifestLinter? = nil
    /// The sync extension's on-demand source for content missing locally (`nil`: no pull-through cache).
    var pullThrough: (any PullThroughSource)? = nil

    func respond(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        guard let endpoint = try context.endpoint.get() else {
            throw RegistryError(.unsupported, status: 404, message: "no such endpoint", detail: request.uri.path)
        }
        switch (endpoint, request.method) {
        case (.base, .get), (.base, .head):
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        case (.catalog, .get):
            return try await catalog(request, context)
        case (.tagsList(let repository), .get):
            return try await tags(repository, request)
        case (.manifest(let repository, let reference), .get), (.manifest(let repository, let reference), .head):
            return try await getManifest(repository, reference, head: request.method == .head, context)
        case (.manifest(let repository, let reference), .put):
            return try await putManifest(repository, reference, request, context)
        case (.manifest(let repository, let reference), .delete):
            let digest: Digest?
            switch reference {
            case .tag(let tag): digest = activity == nil ? nil : try await storage.resolveTag(repository, tag)
            case .digest(let given): digest = given
            }
            try await storage.deleteManifest(repository, reference)
            if let digest { activity?.recordDelete(repository: repository.value, digest: digest, tag: reference.tag) }
            return Response(status: .accepted)
        case (.blob(let repository, let digest), .get), (.blob(let repository, let digest), .head):
            return try await getBlob(repository, digest, request, context)
        case (.blob(let repository, let digest), .delete):
            try await storage.deleteBlob(repository, digest)
            return Response(status: .accepted)
        case (.startUpload(let repository), .post):
            return try await startUpload(repository, request, context)
        case (.upload(let repository, let id), let method):
            guard let uploadID = UploadID(id) else { throw RegistryError(.blobUploadUnknown) }
            switch method {
            case .get: return try await uploadStatus(repository, uploadID)
            case .patch: return try await patchUpload(repository, uploadID, request)
            case .put: return try await finishUpload(repository, uploadID, request)
            case .delete:
                try await storage.cancelUpload(repository, uploadID)
                uploadSessions?.close(uploadID.value, repository: repository.value)
                return Response(status: .noContent)
            default: throw Self.methodNotAllowed
            }
        case (.referrers(let repository, let digest), .get):
            return try await referrers(repository, digest, request, context)
        default:
            throw Self.methodNotAllowed
        }
    }

    static let methodNotAllowed = RegistryError(.unsupported, message: "method not allowed on this endpoint")

    // MARK: Listing

    func catalog(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        let (page, next) = try await visibleCatalogPage(request, context.identity)
        let body = "{\"repositories\":[\(page.map(JSONText.quote).joined(separator: ","))]}"
        var headers: HTTPFields = [.contentType: "application/json"]
        if let next { headers[.link] = "</v2/_catalog?\(next)>; rel=\"next\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func tags(_ repository: RepositoryName, _ request: Request) async throws -> Response {
        guard let all = try await storage.tags(repository) else {
            throw RegistryError(.nameUnknown, detail: "repository \(repository) not found")
        }
        let (page, next) = Pagination.page(all, request: request)
        let body = "{\"name\":\(JSONText.quote(repository.value)),\"tags\":[\(page.map(JSONText.quote).joined(separator: ","))]}"
        var headers: HTTPFields = [.contentType: "application/json"]
        if let next { headers[.link] = "</v2/\(repository)/tags/list?\(next)>; rel=\"next\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func referrers(_ repository: RepositoryName, _ subject: Digest, _ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        if let pullThrough, pullThrough.covers(repository) {
            await pullThrough.fetchReferrers(repository, subject, requester: context.identity)
        }
        let artifactType = request.uri.queryParameters.get("artifactType")
        let descriptors = try await storage.referrers(repository, subject: subject, artifactType: artifactType)
        let index = ReferrersIndex(manifests: descriptors)
        var headers: HTTPFields = [.contentType: MediaType.ociIndex]
        if artifactType != nil { headers[.ociFiltersApplied] = "artifactType" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try index.encoded())))
    }
}
