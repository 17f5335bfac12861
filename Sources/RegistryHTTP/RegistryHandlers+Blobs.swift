import Hummingbird
import HTTPTypes
import NIOCore
import RegistryCore
import RegistryStorage

extension RegistryHandlers {
    func getBlob(_ repository: RepositoryName, _ digest: Digest, _ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        var size = try await storage.blobSize(repository, digest)
        if let pullThrough, pullThrough.covers(repository) {
            if size == nil, request.method == .get, request.headers[.rangeHeader] == nil {
                // A cold blob: the client that started the transfer gets the bytes while storage writes them.
                if let streaming = try await pullThrough.streamBlob(repository, digest, requester: context.identity) {
                    return Response(status: .ok, headers: [
                        .contentType: "application/octet-stream", .dockerContentDigest: digest.description,
                        .contentLength: String(streaming.size),
                    ], body: ResponseBody(asyncSequence: streaming.body))
                }
                size = try await storage.blobSize(repository, digest)
            } else {
                size = try await PullThroughReads.blobSize(repository, digest, known: size, storage: storage, source: pullThrough,
                                                           requester: context.identity)
            }
        }
        guard let size else {
            throw RegistryError(.blobUnknown, detail: "blob \(digest) not found in \(repository)")
        }
        var headers: HTTPFields = [
            .contentType: "application/octet-stream",
            .dockerContentDigest: digest.description,
            .acceptRanges: "bytes",
        ]
        var range: ClosedRange<Int64>?
        if let rangeHeader = request.headers[.rangeHeader] {
            do {
                range = try ByteRange.parseRequestRange(rangeHeader, size: size)
            } catch {
                throw RegistryHTTPError(error, headers: [.contentRangeHeader: "bytes */\(size)"])
            }
        }
        let status: HTTPResponse.Status
        if let range {
            status = .partialContent
            headers[.contentRangeHeader] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
        } else {
            status = .ok
            headers[.contentLength] = String(size)
        }
        if request.method == .head || size == 0 {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        if let file = storage.localBlobFile(repository, digest) {
            // The filesystem driver's fast path.
            let byteRange = range.map { Int($0.lowerBound)...Int($0.upperBound) } ?? 0...Int(size - 1)
            let body = try await fileIO.loadFile(path: file, range: byteRange, context: context, chunkLength: 1 << 20)
            return Response(status: status, headers: headers, body: body)
        }
        let stream = try await storage.readBlob(repository, digest, offset: range?.lowerBound ?? 0, length: range.map { Int64($0.count) })
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: stream))
    }

    func startUpload(_ repository: RepositoryName, _ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        if let mountText = query.get("mount") {
            guard let digest = Digest(mountText) else { throw RegistryError(.digestInvalid, detail: "invalid mount digest") }
            if try await mount(digest, into: repository, fromText: query.get("from"), identity: context.identity) {
                return Self.blobCreated(repository, digest)
            }
        }
        let owner = OpenUploadSessions.owner(context.identity, clientAddress: context.clientAddress)
        try uploadSessions?.checkCapacity(repository: repository.value, user: owner)
        let id = try await storage.startUpload(repository)
        if let digestText = query.get("digest") {
            guard let digest = Digest(digestText) else {
                try? await storage.cancelUpload(repository, id)
                throw RegistryError(.digestInvalid, detail: "invalid digest parameter")
            }
            do {
                _ = try await storage.appendUpload(repository, id, expectedOffset: 0, body: request.body)
                _ = try await storage.finishUpload(repository, id, digest: digest)
            } catch {
                try? await storage.cancelUpload(repository, id)
                throw error
            }
            return Self.blobCreated(repository, digest)
        }
        uploadSessions?.open(id.value, repository: repository.value, user: owner)
        return Self.uploadAccepted(.accepted, repository, id, offset: 0)
    }

    /// Mounts from `from`, or — when `from` is absent — from any repository the caller can read.
    private func mount(_ digest: Digest, into repository: RepositoryName, fromText: String?, identity: Identity) async throws -> Bool {
        if let fromText {
            guard let source = RepositoryName(fromText) else {
                throw RegistryError(.nameInvalid, detail: "invalid mount source repository")
            }
            return try await storage.mountBlob(digest, into: repository, from: source)
        }
        for name in try await storage.catalog() {
            guard let candidate = RepositoryName(name), candidate != repository, canRead(identity, candidate),
                  try await storage.blobSize(candidate, digest) != nil else { continue }
            return try await storage.mountBlob(digest, into: repository, from: candidate)
        }
        return false
    }

    func uploadStatus(_ repository: RepositoryName, _ id: UploadID) async throws -> Response {
        let offset = try await storage.uploadOffset(repository, id)
        return Self.uploadAccepted(.noContent, repository, id, offset: offset)
    }

    func patchUpload(_ repository: RepositoryName, _ id: UploadID, _ request: Request) async throws -> Response {
        let expected = try Self.chunkStart(request)
        let offset: Int64
        do {
            offset = try await storage.appendUpload(repository, id, expectedOffset: expected, body: request.body)
        } catch let error as RegistryError where error.status == 416 {
            let current = (try? await storage.uploadOffset(repository, id)) ?? 0
            throw RegistryHTTPError(error, headers: Self.uploadHeaders(repository, id, offset: current))
        }
        return Self.uploadAccepted(.accepted, repository, id, offset: offset)
    }

    func finishUpload(_ repository: RepositoryName, _ id: UploadID, _ request: Request) async throws -> Response {
        guard let digestText = request.uri.queryParameters.get("digest") else {
            throw RegistryError(.digestInvalid, detail: "the digest query parameter is required")
        }
        guard let digest = Digest(digestText) else { throw RegistryError(.digestInvalid, detail: "invalid digest parameter") }
        let expected = try Self.chunkStart(request)
        _ = try await storage.appendUpload(repository, id, expectedOffset: expected, body: request.body)
        _ = try await storage.finishUpload(repository, id, digest: digest)
        uploadSessions?.close(id.value, repository: repository.value)
        return Self.blobCreated(repository, digest)
    }

    /// The start offset a chunk claims in `Content-Range`, if any.
    static func chunkStart(_ request: Request) throws -> Int64? {
        guard let header = request.headers[.contentRangeHeader] else { return nil }
        guard let range = ByteRange.parseContentRange(header) else {
            throw RegistryError(.rangeInvalid, detail: "malformed Content-Range \"\(header.prefix(100))\"")
        }
        if let lengthText = request.headers[.contentLength], let length = Int64(lengthText), length != Int64(range.count) {
            throw RegistryError(.rangeInvalid, detail: "Content-Range covers \(range.count) bytes but Content-Length is \(length)")
        }
        return range.lowerBound
    }

    static func uploadHeaders(_ repository: RepositoryName, _ id: UploadID, offset: Int64) -> HTTPFields {
        [
            .location: "/v2/\(repository)/blobs/uploads/\(id)",
            .rangeHeader: "0-\(max(0, offset - 1))",
            .dockerUploadUUID: id.value,
            .contentLength: "0",
        ]
    }

    static func uploadAccepted(_ status: HTTPResponse.Status, _ repository: RepositoryName, _ id: UploadID, offset: Int64) -> Response {
        Response(status: status, headers: uploadHeaders(repository, id, offset: offset))
    }

    static func blobCreated(_ repository: RepositoryName, _ digest: Digest) -> Response {
        Response(status: .created, headers: [
            .location: "/v2/\(repository)/blobs/\(digest)",
            .dockerContentDigest: digest.description,
            .contentLength: "0",
        ])
    }
}
