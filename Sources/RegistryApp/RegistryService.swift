import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import RegistryAuth
import RegistryAuthCore
import RegistryHTTP
import RegistryMetadata
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
        let metadata = try metadataStore(config)
        let storage = try configuredStorage(config.storage, metadata: metadata)
        let policy = try accessPolicy(config)
        var options = RegistryServerOptions(
            address: config.http.address, port: config.http.port, realm: config.http.realm, storage: storage, policy: policy,
            tls: try tlsConfiguration(config.http.tls, clientCertificateRequired: config.requiresClientCertificate), logger: logger)
        try configureAuthentication(&options, config: config, metadata: metadata, logger: logger)
        if let audit = config.log.audit, !audit.isEmpty {
            do {
                options.audit = try AuditTrail(path: audit)
            } catch {
                throw StartupError(description: "log.audit: cannot append to \"\(audit)\": \(error.localizedDescription)")
            }
        }
        options.uploadSessionLimits?.abandonAfter = config.storage.gcDelaySeconds ?? 3600
        options.metrics = try metricsEndpoint(config, logger: logger)
        options.tokenService?.metrics = options.metrics?.metrics
        options.metrics?.storageSize = { await storedBytes(storage) }
        return options
    }

    /// The one ``AccessPolicy`` of a config: `accessControl` (if any) with the config's authentication settings.
    /// `zot-authz test` builds it with this same function.
    public static func accessPolicy(_ config: ZotConfig) throws -> AccessPolicy {
        do {
            return try AccessPolicy(accessControl: config.http.accessControl, authentication: config.authenticationSettings)
        } catch {
            throw StartupError(description: "http.accessControl: \(error)")
        }
    }

    static func configureAuthentication(_ options: inout RegistryServerOptions, config: ZotConfig, metadata: MetadataStore,
                                        logger: Logger) throws {
        let passwordSources = try passwordAuthenticators(config, logger: logger)
        let accounts = try accountSetup(config, policy: options.policy, store: metadata, directories: passwordSources, logger: logger)
        let root = config.storage.rootDirectory
        let store = metadata
        options.health = HealthChecks { HealthChecks.isWritableDirectory(root) && store.isReachable() }
        options.account = accounts.services
        let tokens = try tokenSetup(config, store: accounts.store)
        options.challenge = tokens.challenge
        options.authenticators = AuthenticatorChain(try authenticators(config, passwordSources: passwordSources, accounts: accounts,
                                                                       tokens: tokens, logger: logger))
        options.failDelay = FailDelay(seconds: Double(config.http.auth?.failDelay ?? 0))
        options.tokenService = tokens.service.map { service in
            var service = service
            service.chain = options.authenticators
            service.failDelay = options.failDelay
            service.directories = passwordSources
            return service
        }
        options.readsPeerCertificates = config.http.tls?.cacert != nil
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
            ServerTLSPolicy.apply(to: &configuration)
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
        if let problem = await storageReachabilityProblems(config.storage).first {
            throw StartupError(description: problem)
        }
        for line in StartupReport(config: config, policy: options.policy).lines {
            if line.isWarning { logger.warning("\(line.message)") } else { logger.info("\(line.message)") }
        }
        let app = try RegistryServer.application(options)
        let collections = garbageCollections(options.storage, config.storage, logger: logger)
            + [repositoryIndexReconciliation(options.storage, config.storage, logger: logger)]
        defer { collections.forEach { $0.cancel() } }
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES || error.errnoCode == EADDRNOTAVAIL {
            let host = config.http.address.contains(":") ? "[\(config.http.address)]" : config.http.address
            throw StartupError(description: "listen \(host):\(config.http.port): \(String(cString: strerror(error.errnoCode)).lowercased())")
        }
    }
}

extension RegistryService {
    /// Starts `storage.gc`: a pass every `gcInterval` (default 1 h) removing what has been
    /// unreferenced for `gcDelay` (default 1 h).
    static func garbageCollection(_ storage: LayoutStorage, _ storageConfig: StorageConfig, logger: Logger) -> Task<Void, Never> {
        // Abandoned uploads go after gcDelay too (they no longer count against the open-session caps by then).
        let delay = storageConfig.gcDelaySeconds ?? 3600
        let collector = GarbageCollector(storage: storage, delay: delay, uploadExpiry: delay)
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
