import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A part S3 already holds for a multipart upload.
public struct S3UploadedPart: Sendable, Hashable {
    public var partNumber: Int
    public var etag: String
    public var size: Int64
}

/// A multipart upload in progress.
public struct S3MultipartUpload: Sendable, Hashable {
    public var key: String
    public var uploadID: String
    public var initiated: Date?
}

extension S3Client {
    /// S3's smallest part (all but the last), 5 MiB.
    public static let minimumPartSize: Int64 = 5 * 1024 * 1024
    /// S3's largest part number.
    public static let maximumPartNumber = 10_000

    /// CreateMultipartUpload; returns the upload id.
    public func createMultipartUpload(key: String, contentType: String? = nil) async throws -> String {
        var headers = configuration.objectCreationHeaders
        if let contentType { headers.append(("content-type", contentType)) }
        let tree = try await sendForXML(.POST, key: key, query: [("uploads", "")], headers: headers)
        guard let id = tree.text(of: "UploadId"), !id.isEmpty else {
            throw S3Error.malformedResponse("CreateMultipartUpload \(key): no UploadId")
        }
        return id
    }

    /// UploadPart from a stream of exactly `length` bytes; returns the part's ETag.
    public func uploadPart<Bytes: AsyncSequence & Sendable>(key: String, uploadID: String, partNumber: Int,
                                                            body: Bytes, length: Int64) async throws -> String
    where Bytes.Element == ByteBuffer {
        guard (1...Self.maximumPartNumber).contains(partNumber) else {
            throw S3Error.invalidConfiguration("part number \(partNumber) outside 1...\(Self.maximumPartNumber)")
        }
        let response = try await send(.PUT, key: key,
                                      query: [("partNumber", String(partNumber)), ("uploadId", uploadID)],
                                      body: .stream(body, length: .known(length)),
                                      payloadHash: SigV4Signer.unsignedPayload, uploadID: uploadID)
        try await drain(response)
        guard let etag = Self.etag(response.headers) else {
            throw S3Error.malformedResponse("UploadPart \(key) #\(partNumber): no ETag")
        }
        return etag
    }

    /// UploadPart of a body held in memory; signed with its SHA-256 unless `signPayload` is false
    /// (large parts: hashing twice costs CPU, and the part's ETag is checked by S3 anyway).
    public func uploadPart(key: String, uploadID: String, partNumber: Int, bytes: ByteBuffer,
                           signPayload: Bool = true) async throws -> String {
        let response = try await send(.PUT, key: key,
                                      query: [("partNumber", String(partNumber)), ("uploadId", uploadID)],
                                      body: .bytes(bytes),
                                      payloadHash: signPayload ? Hex.sha256(bytes.readableBytesView) : SigV4Signer.unsignedPayload,
                                      uploadID: uploadID)
        try await drain(response)
        guard let etag = Self.etag(response.headers) else {
            throw S3Error.malformedResponse("UploadPart \(key) #\(partNumber): no ETag")
        }
        return etag
    }

    /// CompleteMultipartUpload with the parts in order; returns the object's ETag.
    @discardableResult
    public func completeMultipartUpload(key: String, uploadID: String, parts: [S3UploadedPart]) async throws -> String? {
        let items = parts.sorted { $0.partNumber < $1.partNumber }.map {
            "<Part><PartNumber>\($0.partNumber)</PartNumber><ETag>\"\(XMLEscaping.escape($0.etag))\"</ETag></Part>"
        }
        let body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + items.joined() + "</CompleteMultipartUpload>"
        let tree = try await sendForXML(.POST, key: key, query: [("uploadId", uploadID)], xmlBody: body, uploadID: uploadID)
        return tree.text(of: "ETag")?.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// AbortMultipartUpload: S3 drops the parts.
    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        let response = try await send(.DELETE, key: key, query: [("uploadId", uploadID)], uploadID: uploadID)
        try await drain(response)
    }

    /// ListParts, all pages: what S3 already holds, so an interrupted upload resumes after the last part.
    public func listParts(key: String, uploadID: String) async throws -> [S3UploadedPart] {
        var parts: [S3UploadedPart] = []
        var marker: String?
        while true {
            var query: [(name: String, value: String)] = [("uploadId", uploadID)]
            if let marker { query.append(("part-number-marker", marker)) }
            let tree = try await sendForXML(.GET, key: key, query: query, uploadID: uploadID)
            for part in tree.all("Part") {
                guard let number = part.text(of: "PartNumber").flatMap({ Int($0) }), let etag = part.text(of: "ETag") else {
                    throw S3Error.malformedResponse("ListParts \(key): part without number or ETag")
                }
                parts.append(S3UploadedPart(partNumber: number,
                                            etag: etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
                                            size: part.text(of: "Size").flatMap { Int64($0) } ?? 0))
            }
            guard tree.text(of: "IsTruncated") == "true", let next = tree.text(of: "NextPartNumberMarker"), next != marker else {
                return parts
            }
            marker = next
        }
    }

    /// ListMultipartUploads under `prefix`, all pages (to find uploads left behind by a restart).
    public func listMultipartUploads(prefix: String) async throws -> [S3MultipartUpload] {
        var uploads: [S3MultipartUpload] = []
        var keyMarker: String?
        var idMarker: String?
        while true {
            var query: [(name: String, value: String)] = [("uploads", ""), ("prefix", prefix)]
            if let keyMarker { query.append(("key-marker", keyMarker)) }
            if let idMarker { query.append(("upload-id-marker", idMarker)) }
            let tree = try await sendForXML(.GET, key: nil, query: query)
            for upload in tree.all("Upload") {
                guard let key = upload.text(of: "Key"), let id = upload.text(of: "UploadId") else { continue }
                uploads.append(S3MultipartUpload(key: key, uploadID: id,
                                                 initiated: upload.text(of: "Initiated").flatMap(HTTPDate.parseISO8601)))
            }
            guard tree.text(of: "IsTruncated") == "true" else { return uploads }
            keyMarker = tree.text(of: "NextKeyMarker")
            idMarker = tree.text(of: "NextUploadIdMarker")
            if keyMarker == nil { return uploads }
        }
    }
}
