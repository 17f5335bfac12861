import Foundation
import Hummingbird
import Logging
import NIOSSL
import RegistryAuth
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
        var options = RegistryServerOptions(
            address: config.http.address, port: config.http.port, realm: config.http.realm,
            storage: storage, decider: ScopeLimitedDecider(decider), authenticationConfigured: authenticationConfigured,
            tls: try tlsConfiguration(config.http.tls, clientCertificateRequired: requiresClientCertificate(config)), logger: logger)
        try configureAuthentication(&options, config: config, logger: logger)
        if let audit = config.log.audit, !audit.isEmpty {
            do {
                options.audit = try AuditTrail(path: audit)
            } catch {
                throw StartupError(description: "log.audit: cannot append to \"\(audit)\": \(error.localizedDescription)")
            }
        }
        options.metrics = try metricsEndpoint(config, authenticationConfigured: authenticationConfigured, logger: logger)
        return options
    }

    /// As Zot: with a client CA and no password-based method, a client certificate is required;
    /// with one, a certificate is verified when presented.
    static func requiresClientCertificate(_ config: ZotConfig) -> Bool {
        guard config.http.tls?.cacert != nil else { return false }
        let auth = config.http.auth
        return auth?.htpasswd == nil && auth?.ldap == nil && auth?.openid == nil && auth?.bearer == nil
    }

    static func configureAuthentication(_ options: inout RegistryServerOptions, config: ZotConfig, logger: Logger) throws {
        var authenticators: [any Authenticator] = []
        var directories: [any AccountDirectory] = []
        if let htpasswd = config.http.auth?.htpasswd {
            do {
                let authenticator = try HtpasswdAuthenticator(path: htpasswd.path, logger: logger)
                authenticators.append(authenticator)
                directories.append(authenticator)
            } catch {
                throw StartupError(description: "http.auth.htpasswd.path: \(error)")
            }
        }
        if let ldap = config.http.auth?.ldap {
            do throws(LDAPSetupError) {
                let authenticator = try LDAPAuthenticator(config: ldap, logger: logger)
                authenticators.append(authenticator)
                directories.append(authenticator)
            } catch {
                throw StartupError(description: "\(error.configPath): \(error)")
            }
        }
        if config.http.tls?.cacert != nil {
            let mtls = config.http.auth?.mtls
            do {
                authenticators.append(try MTLSAuthenticator(identityAttributes: mtls?.identityAttributes ?? [], uriSanPattern: mtls?.uriSanPattern))
            } catch {
                throw StartupError(description: "http.auth.mtls: \(error)")
            }
            options.readsPeerCertificates = true
        }
        let accounts = try accountSetup(config, decider: options.decider, directories: directories, logger: logger)
        authenticators.append(contentsOf: accounts.credentialAuthenticators)
        if let session = accounts.sessionAuthenticator { authenticators.append(session) }
        options.account = accounts.services
        options.authenticators = AuthenticatorChain(authenticators)
        options.failDelay = FailDelay(seconds: Double(config.http.auth?.failDelay ?? 0))
        do {
            options.addressResolver = try ClientAddressResolver(trustedProxies: config.http.trustedProxies)
        } catch {
            throw StartupError(description: "http.trustedProxies: \(error)")
        }
        if let ratelimit = config.http.ratelimit {
            var methodRates: [String: Double] = [:]
            for entry in ratelimit.methods { methodRates[entry.method.uppercased()] = entry.rate }
            do {
                options.addressLimiter = try RateLimiter(globalRate: ratelimit.rate, methodRates: methodRates)
                options.userLimiter = try RateLimiter(globalRate: ratelimit.rate, methodRates: methodRates)
            } catch {
                throw StartupError(description: "http.ratelimit: \(error)")
            }
        }
    }

    static func tlsConfiguration(_ tls: TLSConfig?, clientCertificateRequired: Bool) throws -> TLSConfiguration? {
        guard let tls, let cert = tls.cert, let key = tls.key else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            if let cacert = tls.cacert {
                configuration.trustRoots = .file(cacert)
                configuration.certificateVerification = clientCertificateRequired ? .noHostnameVerification : .optionalVerification
            }
            return configuration
        } catch {
            throw StartupError(description: "http.tls: cannot load certificate or key: \(error)")
        }
    }

    /// The server's logger: `log.format` (JSON by default) to `log.output` or standard output, at `log.level`.
    static func serverLogger(_ log: LogConfig) throws -> Logger {
        let output = log.output.flatMap { $0.isEmpty || $0 == "/dev/stdout" ? nil : $0 }
        var logger: Logger
        do {
            switch (log.format, output) {
            case (.json, let path?):
                logger = Logger(label: "zot-authz", factory: JSONLogHandler.factory(try JSONLogHandler.Destination(appendingTo: path)))
            case (.json, nil):
                logger = Logger(label: "zot-authz", factory: JSONLogHandler.factory(.standardOutput))
            case (.text, let path?):
                logger = Logger(label: "zot-authz", factory: try FileLogHandler.factory(path: path))
            case (.text, nil):
                logger = Logger(label: "zot-authz")
            }
        } catch {
            throw StartupError(description: "log.output: cannot append to \"\(output ?? "")\": \(error.localizedDescription)")
        }
        logger.logLevel = Logger.Level(zotLevel: log.level)
        return logger
    }

    /// Runs the registry until the process is asked to stop.
    public static func run(config: ZotConfig) async throws {
        let logger = try serverLogger(config.log)
        let options = try options(from: config, logger: logger)
        let app = try RegistryServer.application(options)
        let collection = config.storage.gc ? (options.storage as? FileSystemStorage).map { garbageCollection($0, config.storage, logger: logger) } : nil
        defer { collection?.cancel() }
        try await app.runService()
    }
}

extension RegistryService {
    /// Starts `storage.gc`: a pass every `gcInterval` (default 1 h) removing what has been
    /// unreferenced for `gcDelay` (default 1 h).
    static func garbageCollection(_ storage: FileSystemStorage, _ storageConfig: StorageConfig, logger: Logger) -> Task<Void, Never> {
        let collector = GarbageCollector(storage: storage, delay: storageConfig.gcDelaySeconds ?? 3600)
        let interval = max(1, storageConfig.gcIntervalSeconds ?? 3600)
        return Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                let report = await collector.collect()
                if !report.isEmpty {
                    logger.info("storage garbage collected", metadata: [
                        "blobs": "\(report.blobsRemoved)", "bytes": "\(report.bytesFreed)", "uploads": "\(report.uploadsRemoved)",
                    ])
                }
            }
        }
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
