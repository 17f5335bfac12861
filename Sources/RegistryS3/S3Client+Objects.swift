import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What HEAD/GET tell about an object.
public struct S3ObjectInfo: Sendable, Hashable {
    public var key: String
    /// Size of the whole object in bytes.
    public var size: Int64
    /// The ETag without quotes.
    public var etag: String?
    public var lastModified: Date?
}

/// Which bytes of an object to read.
public enum S3ReadRange: Sendable, Hashable {
    /// `bytes=first-last`, both inclusive.
    case bytes(ClosedRange<Int64>)
    /// `bytes=offset-`: from `offset` to the end.
    case from(Int64)

    var header: String {
        switch self {
        case .bytes(let range): "bytes=\(range.lowerBound)-\(range.upperBound)"
        case .from(let offset): "bytes=\(offset)-"
        }
    }
}

/// A GET's answer: the object's facts and its body as a stream, which the caller must consume or drop.
public struct S3ObjectStream: Sendable {
    public var info: S3ObjectInfo
    /// Bytes this response carries (the range's length for a ranged read).
    public var contentLength: Int64
    /// The body, chunk by chunk, as it arrives from the server.
    public var body: HTTPClientResponse.Body
}

extension S3Client {
    /// PutObject from a stream of exactly `length` bytes (sent unsigned, never buffered whole).
    @discardableResult
    public func putObject<Bytes: AsyncSequence & Sendable>(key: String, body: Bytes, length: Int64,
                                                           contentType: String? = nil) async throws -> String?
    where Bytes.Element == ByteBuffer {
        var headers = configuration.objectCreationHeaders
        if let contentType { headers.append(("content-type", contentType)) }
        let response = try await send(.PUT, key: key, headers: headers, body: .stream(body, length: .known(length)),
                                      payloadHash: SigV4Signer.unsignedPayload)
        try await drain(response)
        return Self.etag(response.headers)
    }

    /// PutObject of a body held in memory, signed with its SHA-256 unless `signPayload` is false.
    @discardableResult
    public func putObject(key: String, bytes: ByteBuffer, contentType: String? = nil, signPayload: Bool = true) async throws -> String? {
        var headers = configuration.objectCreationHeaders
        if let contentType { headers.append(("content-type", contentType)) }
        let response = try await send(.PUT, key: key, headers: headers, body: .bytes(bytes),
                                      payloadHash: signPayload ? Hex.sha256(bytes.readableBytesView) : SigV4Signer.unsignedPayload)
        try await drain(response)
        return Self.etag(response.headers)
    }

    /// GetObject, optionally ranged; the body streams from the server.
    public func getObject(key: String, range: S3ReadRange? = nil) async throws -> S3ObjectStream {
        let headers = range.map { [("range", $0.header)] } ?? []
        let response = try await send(.GET, key: key, headers: headers)
        let length = response.headers.first(name: "content-length").flatMap { Int64($0) } ?? -1
        var size = length
        if let contentRange = response.headers.first(name: "content-range"),
           let slash = contentRange.lastIndex(of: "/"), let total = Int64(contentRange[contentRange.index(after: slash)...]) {
            size = total
        }
        let info = S3ObjectInfo(key: key, size: size, etag: Self.etag(response.headers),
                                lastModified: response.headers.first(name: "last-modified").flatMap(HTTPDate.parse))
        return S3ObjectStream(info: info, contentLength: length, body: response.body)
    }

    /// HeadObject: size, ETag, modification time; ``S3Error/noSuchKey(key:)`` when absent.
    public func headObject(key: String) async throws -> S3ObjectInfo {
        let response = try await send(.HEAD, key: key)
        guard let size = response.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
            throw S3Error.malformedResponse("HEAD \(key): no Content-Length")
        }
        return S3ObjectInfo(key: key, size: size, etag: Self.etag(response.headers),
                            lastModified: response.headers.first(name: "last-modified").flatMap(HTTPDate.parse))
    }

    /// DeleteObject. S3 answers 204 whether or not the key existed.
    public func deleteObject(key: String) async throws {
        let response = try await send(.DELETE, key: key)
        try await drain(response)
    }

    /// CopyObject inside the bucket (objects up to 5 GiB; larger ones need UploadPartCopy).
    public func copyObject(from sourceKey: String, to key: String) async throws {
        let source = "/\(configuration.bucket)/\(S3URIEncoding.encode(sourceKey, keepSlash: true))"
        let headers = configuration.objectCreationHeaders + [("x-amz-copy-source", source)]
        _ = try await sendForXML(.PUT, key: key, headers: headers)
    }

    /// CreateBucket in the configured region (tests and first-time setup).
    public func createBucket() async throws {
        var body: String?
        if configuration.region != "us-east-1" {
            body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>"
                + XMLEscaping.escape(configuration.region) + "</LocationConstraint></CreateBucketConfiguration>"
        }
        var hash = SigV4Signer.emptyPayloadHash
        var requestBody: HTTPClientRequest.Body?
        if let body {
            hash = Hex.sha256(Array(body.utf8))
            requestBody = .bytes(ByteBuffer(string: body))
        }
        let response = try await send(.PUT, key: nil, body: requestBody, payloadHash: hash)
        try await drain(response)
    }

    static func etag(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "etag").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    }
}

/// Dates as S3 writes them: RFC 1123 in headers, ISO 8601 in XML.
enum HTTPDate {
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
