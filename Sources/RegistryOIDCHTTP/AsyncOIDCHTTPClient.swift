import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import RegistryOIDC

/// ``OIDCHTTPClient`` over AsyncHTTPClient: redirects are not followed, every request has a deadline, answers
/// larger than ``maximumBodySize`` are refused, and TLS trusts the system roots or, when given, only the
/// configured CA.
///
/// Call ``shutdown()`` before the process ends.
public final class AsyncOIDCHTTPClient: OIDCHTTPClient {
    /// The largest body accepted (1 MiB): discovery documents, key sets and token answers are small.
    public static let maximumBodySize = 1 << 20

    private let client: HTTPClient
    private let timeout: TimeAmount

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - caCertificatePEMFile: path of a PEM file whose certificates are the only trusted roots.
    ///   - caCertificatePEM: inline PEM certificates, the only trusted roots (added to the file's, if both).
    ///   - timeout: the deadline for a whole request, also used as connect and read timeout.
    /// - Throws: when a CA is given but cannot be read or parsed.
    public init(caCertificatePEMFile: String? = nil, caCertificatePEM: String? = nil, timeout: TimeAmount = .seconds(10)) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        var roots: [NIOSSLCertificate] = []
        if let caCertificatePEMFile {
            roots += try NIOSSLCertificate.fromPEMFile(caCertificatePEMFile)
        }
        if let caCertificatePEM {
            roots += try NIOSSLCertificate.fromPEMBytes(Array(caCertificatePEM.utf8))
        }
        if caCertificatePEMFile != nil || caCertificatePEM != nil {
            guard !roots.isEmpty else { throw OIDCError.configuration("the CA PEM holds no certificate") }
            tls.trustRoots = .certificates(roots)
        }
        let configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeout, read: timeout),
            decompression: .disabled
        )
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.timeout = timeout
    }

    /// Closes the connection pool.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func get(_ url: String) async throws -> OIDCHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        return try await execute(request)
    }

    public func postForm(_ url: String, fields: [(String, String)], basicAuth: (user: String, password: String)?) async throws -> OIDCHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let basicAuth {
            request.headers.add(name: "Authorization", value: FormEncoding.basicAuthorization(user: basicAuth.user, password: basicAuth.password))
        }
        request.body = .bytes(ByteBuffer(string: FormEncoding.body(fields)))
        return try await execute(request)
    }

    private func execute(_ request: HTTPClientRequest) async throws -> OIDCHTTPResponse {
        let deadline = NIODeadline.now() + timeout
        let response = try await client.execute(request, deadline: deadline)
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > Self.maximumBodySize {
            throw OIDCError.unreachable("answer of \(length) bytes exceeds \(Self.maximumBodySize)")
        }
        let body = try await response.body.collect(upTo: Self.maximumBodySize)
        return OIDCHTTPResponse(status: Int(response.status.code), body: Array(buffer: body))
    }
}
