import Hummingbird
import HTTPTypes
import NIOCore
import RegistryCore
import RegistryStorage

extension RegistryHandlers {
    func getManifest(_ repository: RepositoryName, _ reference: Reference, head: Bool) throws -> Response {
        let stored = try storage.manifest(repository, reference)
        let headers: HTTPFields = [
            .contentType: stored.mediaType,
            .dockerContentDigest: stored.digest.description,
            .contentLength: String(stored.body.count),
        ]
        return Response(status: .ok, headers: headers, body: head ? ResponseBody() : .init(byteBuffer: ByteBuffer(bytes: stored.body)))
    }

    func putManifest(_ repository: RepositoryName, _ reference: Reference, _ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        var request = request
        let buffer = try await BodyLimit.collect(&request, upTo: context.maxUploadSize, what: "the manifest")
        let body = Array(buffer.readableBytesView)
        let manifest = try ParsedManifest.parse(body, contentType: request.headers[.contentType])
        let digest = try storage.putManifest(repository, reference: reference, body: body, manifest: manifest,
                                             tagMustBeNew: context.tagMustBeNew)
        var headers: HTTPFields = [
            .location: "/v2/\(repository)/manifests/\(digest)",
            .dockerContentDigest: digest.description,
            .contentLength: "0",
        ]
        if let subject = manifest.subject { headers[.ociSubject] = subject.description }
        return Response(status: .created, headers: headers)
    }
}
