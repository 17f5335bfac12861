import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// An S3 API client on AsyncHTTPClient: one shared connection pool, SigV4 on every request, bodies streamed
/// both ways (uploads with `UNSIGNED-PAYLOAD`, downloads as the response's own body sequence).
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    let signer: SigV4Signer
    let logger: Logger
    /// Error bodies are read up to this size (S3's are well under 1 KiB).
    static let maxErrorBody = 64 * 1024
    /// XML response bodies (listings) are read up to this size.
    static let maxXMLBody = 16 * 1024 * 1024

    /// Creates a client; without `httpClient` it makes one of its own, which ``shutdown()`` closes.
    public init(configuration: S3Configuration, httpClient: HTTPClient? = nil,
                logger: Logger = Logger(label: "zot-authz.s3")) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.logger = logger
        if let httpClient {
            self.httpClient = httpClient
            self.ownsHTTPClient = false
        } else {
            self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton,
                                         configuration: Self.httpConfiguration(skipTLSVerify: configuration.skipTLSVerify))
            self.ownsHTTPClient = true
        }
    }

    /// The HTTP settings every S3 client uses: no redirects or decompression, bounded connect and read times, a pool
    /// of 16 connections per host; with `skipTLSVerify` the server's certificate is not checked (`skipverify`).
    static func httpConfiguration(skipTLSVerify: Bool) -> HTTPClient.Configuration {
        var config = HTTPClient.Configuration()
        if skipTLSVerify {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            config.tlsConfiguration = tls
        }
        config.redirectConfiguration = .disallow
        config.decompression = .disabled
        config.timeout = .init(connect: .seconds(10), read: .seconds(120))
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        return config
    }

    /// HTTP clients that live as long as the process, one per TLS setting, for servers whose stores are built once
    /// and used until exit (they are never shut down, so they must never be released either).
    public static func processWideHTTPClient(skipTLSVerify: Bool) -> HTTPClient {
        skipTLSVerify ? unverifiedProcessClient : verifiedProcessClient
    }

    private static let verifiedProcessClient = HTTPClient(eventLoopGroupProvider: .singleton,
                                                          configuration: httpConfiguration(skipTLSVerify: false))
    private static let unverifiedProcessClient = HTTPClient(eventLoopGroupProvider: .singleton,
                                                            configuration: httpConfiguration(skipTLSVerify: true))

    /// Closes the HTTP client when this S3 client created it.
    public func shutdown() async throws {
        if ownsHTTPClient { try await httpClient.shutdown() }
    }

    /// The request line and host for `key` (nil: the bucket itself), in the configured addressing style.
    func location(key: String?, query: [(name: String, value: String)]) -> (url: String, host: String, path: String) {
        let endpoint = configuration.endpoint
        let encodedKey = key.map { S3URIEncoding.encode($0, keepSlash: true) } ?? ""
        let host: String
        let path: String
        if configuration.forcePathStyle {
            host = endpoint.authority
            path = "/\(S3URIEncoding.encode(configuration.bucket, keepSlash: false))" + (key == nil ? "" : "/\(encodedKey)")
        } else {
            host = "\(configuration.bucket).\(endpoint.authority)"
            path = "/\(encodedKey)"
        }
        let queryText = S3URIEncoding.canonicalQuery(query)
        return ("\(endpoint.scheme)://\(host)\(path)" + (queryText.isEmpty ? "" : "?\(queryText)"), host, path)
    }

    /// Signs and sends one request; non-2xx responses become ``S3Error`` (their bodies read and parsed).
    func send(_ method: HTTPMethod, key: String?, query: [(name: String, value: String)] = [],
              headers: [(name: String, value: String)] = [], body: HTTPClientRequest.Body? = nil,
              payloadHash: String = SigV4Signer.emptyPayloadHash, uploadID: String? = nil,
              accept: Set<Int> = []) async throws -> HTTPClientResponse {
        let (url, host, path) = location(key: key, query: query)
        let signed = signer.sign(method: method.rawValue, host: host, path: path, query: query, headers: headers,
                                 payloadHash: payloadHash, date: Date())
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "host", value: host)
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        if let body { request.body = body }
        let response = try await httpClient.execute(request, timeout: .hours(1), logger: logger)
        let status = Int(response.status.code)
        if (200..<300).contains(status) || accept.contains(status) { return response }
        var errorBody = ByteBuffer()
        if method != .HEAD { errorBody = try await response.body.collect(upTo: Self.maxErrorBody) }
        throw S3Error.from(status: status, body: Array(buffer: errorBody), bucket: configuration.bucket,
                           key: key, uploadID: uploadID)
    }

    /// Sends a request and parses its XML answer.
    func sendForXML(_ method: HTTPMethod, key: String?, query: [(name: String, value: String)] = [],
                    headers: [(name: String, value: String)] = [], xmlBody: String? = nil,
                    uploadID: String? = nil) async throws -> XMLElementTree {
        var body: HTTPClientRequest.Body?
        var hash = SigV4Signer.emptyPayloadHash
        if let xmlBody {
            let bytes = Array(xmlBody.utf8)
            hash = Hex.sha256(bytes)
            body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await send(method, key: key, query: query, headers: headers, body: body,
                                      payloadHash: hash, uploadID: uploadID)
        let bytes = try await response.body.collect(upTo: Self.maxXMLBody)
        guard let tree = XMLElementTree.parse(Array(buffer: bytes)) else {
            throw S3Error.malformedResponse("\(method.rawValue) \(key ?? "/"): body is not XML")
        }
        if tree.name == "Error" {
            // CopyObject and CompleteMultipartUpload can fail with a 200 whose body is an error.
            throw S3Error.from(status: 200, body: Array(buffer: bytes), bucket: configuration.bucket, key: key, uploadID: uploadID)
        }
        return tree
    }

    /// Drains and discards a response body so the connection goes back to the pool.
    func drain(_ response: HTTPClientResponse) async throws {
        for try await _ in response.body {}
    }
}
