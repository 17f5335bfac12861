import Hummingbird
import HTTPTypes
import NIOCore
import RegistryCore
import RegistryRetention
import RegistryStorage

extension RegistryHandlers {
    func getManifest(_ repository: RepositoryName, _ reference: Reference, head: Bool, _ context: RegistryRequestContext) async throws -> Response {
        let stored: StoredManifest
        if let pullThrough, pullThrough.covers(repository) {
            stored = try await PullThroughReads.manifest(repository, reference, storage: storage, source: pullThrough, requester: context.identity)
        } else {
            stored = try await storage.manifest(repository, reference)
        }
        let headers: HTTPFields = [
            .contentType: stored.mediaType,
            .dockerContentDigest: stored.digest.description,
            .contentLength: String(stored.body.count),
        ]
        if !head { activity?.recordPull(repository: repository.value, digest: stored.digest, tag: reference.tag) }
        return Response(status: .ok, headers: headers, body: head ? ResponseBody() : .init(byteBuffer: ByteBuffer(bytes: stored.body)))
    }

    func putManifest(_ repository: RepositoryName, _ reference: Reference, _ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        var request = request
        let buffer = try await BodyLimit.collect(&request, upTo: context.maxUploadSize, what: "the manifest")
        let body = Array(buffer.readableBytesView)
        let manifest = try ParsedManifest.parse(body, contentType: request.headers[.contentType])
        if let linter {
            let missing = try await linter.missingAnnotations(manifest, body: body, repository: repository, blobs: storage)
            if !missing.isEmpty {
                throw RegistryError(.manifestInvalid, message: "manifest is missing mandatory annotations: \(missing.joined(separator: ", "))",
                                    detail: "extensions.lint.mandatoryAnnotations (as manifest annotations or image config labels)")
            }
        }
        let digest: Digest
        if let refusal = context.identicalRepushOnly {
            // Without update rights only the manifest the tag already names may be pushed again: nothing changes.
            guard case .tag(let tag) = reference, let existing = try await storage.resolveTag(repository, tag),
                  existing == Digest.of(body, algorithm: existing.algorithm) else {
                throw RegistryError(.denied, message: refusal, detail: "update on \(repository) is not granted")
            }
            digest = existing
        } else {
            digest = try await storage.putManifest(repository, reference: reference, body: body, manifest: manifest,
                                             tagMustBeNew: context.tagMustBeNew)
        }
        var headers: HTTPFields = [
            .location: "/v2/\(repository)/manifests/\(digest)",
            .dockerContentDigest: digest.description,
            .contentLength: "0",
        ]
        if let subject = manifest.subject { headers[.ociSubject] = subject.description }
        activity?.recordPush(repository: repository.value, digest: digest, tag: reference.tag, user: context.identity.username)
        return Response(status: .created, headers: headers)
    }
}
