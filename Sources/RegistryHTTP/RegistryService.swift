import Foundation
import Hummingbird
import Logging
import NIOSSL
import RegistryConfig
import RegistryCore
import RegistryPolicy
import RegistryStorage

/// Turns a validated Zot config into a running registry.
public enum RegistryService {
    /// A config problem found while starting (not by the loader), e.g. an unreadable certificate.
    public struct StartupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Builds server options from a config.
    public static func options(from config: ZotConfig, logger: Logger) throws -> RegistryServerOptions {
        let storage: FileSystemStorage
        do {
            storage = try FileSystemStorage(rootDirectory: config.storage.rootDirectory, commit: config.storage.commit)
        } catch {
            throw StartupError(description: "storage.rootDirectory: cannot use \"\(config.storage.rootDirectory)\": \(error)")
        }
        let authenticationConfigured = config.http.auth.map { !$0.methodNames.isEmpty } ?? false
        let decider: any AccessDecider
        if let accessControl = config.http.accessControl {
            do {
                decider = PolicyAccessDecider(engine: try PolicyEngine(accessControl))
            } catch {
                throw StartupError(description: "http.accessControl: \(error)")
            }
        } else {
            decider = OpenAccessDecider(authenticationConfigured: authenticationConfigured)
        }
        return RegistryServerOptions(address: config.http.address, port: config.http.port, realm: config.http.realm,
                                     storage: storage, decider: decider, authenticationConfigured: authenticationConfigured,
                                     tls: try tlsConfiguration(config.http.tls), logger: logger)
    }

    static func tlsConfiguration(_ tls: TLSConfig?) throws -> TLSConfiguration? {
        guard let tls, let cert = tls.cert, let key = tls.key else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            if let cacert = tls.cacert {
                configuration.trustRoots = .file(cacert)
                configuration.certificateVerification = .optionalVerification
            }
            return configuration
        } catch {
            throw StartupError(description: "http.tls: cannot load certificate or key: \(error)")
        }
    }

    /// Runs the registry until the process is asked to stop.
    public static func run(config: ZotConfig) async throws {
        var logger = Logger(label: "zot-authz")
        logger.logLevel = Logger.Level(zotLevel: config.log.level)
        let options = try options(from: config, logger: logger)
        let app = try RegistryServer.application(options)
        try await app.runService()
    }
}

extension Logger.Level {
    /// Maps Zot's log level names.
    init(zotLevel: String) {
        switch zotLevel.lowercased() {
        case "debug": self = .debug
        case "warn", "warning": self = .warning
        case "error": self = .error
        case "trace": self = .trace
        default: self = .info
        }
    }
}
