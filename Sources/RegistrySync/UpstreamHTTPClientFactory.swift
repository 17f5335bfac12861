import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import RegistryConfig

/// Builds the AsyncHTTPClient of one sync registry entry from `tlsVerify`, `certDir` (containers' certs.d layout:
/// every `*.crt` is a trusted CA, `ca.crt` included; a `*.cert` + `*.key` pair is the client identity),
/// `disableHTTP2` and `maxIdleConnsPerHost`. Redirects are never followed by the client (blob redirects are followed
/// by hand, without our credentials); nothing is decompressed.
public enum UpstreamHTTPClientFactory {
    public static func make(_ settings: SyncRegistryConfig) throws -> HTTPClient {
        try client(settings, tls: tlsConfiguration(settings))
    }

    /// The TLS settings alone (`verify` checks them without creating a client).
    public static func tlsConfiguration(_ settings: SyncRegistryConfig) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !settings.tlsVerify { tls.certificateVerification = .none }
        if let certDir = settings.certDir {
            let files = try FileManager.default.contentsOfDirectory(atPath: certDir).sorted()
            var roots: [NIOSSLCertificate] = []
            for file in files where file.hasSuffix(".crt") {
                roots += try NIOSSLCertificate.fromPEMFile(certDir + "/" + file)
            }
            if !roots.isEmpty { tls.additionalTrustRoots = [.certificates(roots)] }
            if let certificate = files.first(where: { $0.hasSuffix(".cert") }) {
                let key = certDir + "/" + certificate.dropLast(5) + ".key"
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certDir + "/" + certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
        }
        return tls
    }

    private static func client(_ settings: SyncRegistryConfig, tls: TLSConfiguration) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(60)),
            decompression: .disabled)
        configuration.httpVersion = settings.disableHTTP2 ? .http1Only : .automatic
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: settings.maxIdleConnsPerHost ?? max(8, settings.reqConcurrent))
        // A refused connection fails at once; our own retries (maxRetries, retryDelay) decide what happens next.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
