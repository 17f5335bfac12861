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
import UnixSignals

/// Turns a validated Zot config into a running registry.
public enum RegistryService {
    /// A config problem found while starting (not by the loader), e.g. an unreadable certificate.
    public struct StartupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Builds server options from a config; `build` describes the binary (exported as `zot_info`).
    public static func options(from config: ZotConfig, logger: Logger, build: ServerBuildInfo = .unknown) throws -> RegistryServerOptions {
        let metadata = try metadataStore(config)
        let metrics = try metricsEndpoint(config, build: build, logger: logger)
        let storage = try configuredStorage(config.storage, metadata: metadata, metrics: metrics?.metrics)
        let policy = try accessPolicy(config)
        let certificate = try serverCertificate(config.http.tls)
        var options = RegistryServerOptions(
            address: config.http.address, port: config.http.port, realm: config.http.realm, storage: storage, policy: policy,
            tls: try tlsConfiguration(config.http.tls, certificate: certificate, clientCertificateRequired: config.requiresClientCertificate),
            logger: logger)
        options.serverCertificate = certificate
        try configureAuthentication(&options, config: config, metadata: metadata, logger: logger)
        if let audit = config.log.audit, !audit.isEmpty {
            do {
                options.audit = try AuditTrail(path: audit)
            } catch {
                throw StartupError(description: "log.audit: cannot append to \"\(audit)\": \(error.localizedDescription)")
            }
        }
        options.uploadSessionLimits?.abandonAfter = config.storage.gcDelaySeconds ?? 3600
        options.metrics = metrics
        options.tokenService?.metrics = options.metrics?.metrics
        let timeouts = config.http.timeouts
        options.idleTimeout = timeAmount(timeouts.idleSeconds)
        options.readTimeout = timeouts.readSeconds.map(timeAmount)
        options.writeTimeout = timeouts.writeSeconds.map(timeAmount)
        options.metrics?.storageSize = { await storageUsage(storage) }
        configureHygiene(&options, config: config, metadata: metadata)
        let sync = try syncServices(config, storage: storage, audit: options.audit, metrics: metrics?.metrics, logger: logger)
        if sync.onDemand == nil && sync.periodic == nil { metrics?.metrics.registerSyncSeries(upstreams: []) }
        // Always installed, so a config reload can turn sync on, change or off (SyncControl).
        let control = SyncControl(onDemand: sync.onDemand, periodic: sync.periodic)
        options.pullThrough = control
        options.backgroundWork.append { await control.runPeriodic() }
        return options
    }

    static func timeAmount(_ seconds: Double) -> TimeAmount {
        .milliseconds(Int64((seconds * 1000).rounded()))
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
        let accounts = try accountSetup(config, policies: options.policies, store: metadata, directories: passwordSources, logger: logger)
        let root = config.storage.rootDirectory
        let store = metadata
        options.health = HealthChecks { HealthChecks.isWritableDirectory(root) && store.isReachable() }
        let tokens = try tokenSetup(config, store: accounts.store)
        // Refresh tokens are listed (and revocable) with the user's API keys.
        options.account = accounts.services.map { services in
            var services = services
            services.refreshTokens = tokens.service?.refreshTokens
            return services
        }
        options.challenge = tokens.challenge
        options.authenticators = AuthenticatorChain(try authenticators(config, passwordSources: passwordSources, accounts: accounts,
                                                                       tokens: tokens, logger: logger))
        options.failDelay = FailDelay(seconds: Double(config.http.auth?.failDelay ?? 0))
        if consoleEnabled(config) {
            let host = URLComponents(string: externalURL(config)).map { components in
                (components.host ?? config.http.address) + (components.port.map { ":\($0)" } ?? "")
            } ?? "\(config.http.address):\(config.http.port)"
            options.console = ConsoleOptions(passwordLogin: passwordSources.isEmpty ? nil : AuthenticatorChain(passwordSources),
                                             failDelay: options.failDelay, registryHost: host)
        }
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
        options.rateLimiters.replace(with: try rateLimiters(config))
    }

    /// `http.ratelimit`: the same limits per client address and per user (none without the section).
    static func rateLimiters(_ config: ZotConfig) throws -> RateLimiters {
        guard let ratelimit = config.http.ratelimit else { return RateLimiters() }
        var methodRates: [String: Double] = [:]
        for entry in ratelimit.methods { methodRates[entry.method.uppercased()] = entry.rate }
        do {
            return RateLimiters(address: try RateLimiter(globalRate: ratelimit.rate, methodRates: methodRates),
                                user: try RateLimiter(globalRate: ratelimit.rate, methodRates: methodRates))
        } catch {
            throw StartupError(description: "http.ratelimit: \(error)")
        }
    }

    /// The listener's certificate pair (`http.tls.cert` / `key`), reloaded when the files change; `nil` without TLS.
    static func serverCertificate(_ tls: TLSConfig?) throws -> ServerCertificate? {
        guard let tls, let cert = tls.cert, let key = tls.key else { return nil }
        do {
            return try ServerCertificate(certificatePath: cert, keyPath: key)
        } catch {
            throw StartupError(description: "http.tls: cannot load certificate or key: \(error)")
        }
    }

    /// The HTTPS listener's settings; every handshake takes `certificate`'s pair in force.
    static func tlsConfiguration(_ tls: TLSConfig?, certificate: ServerCertificate?, clientCertificateRequired: Bool) throws -> TLSConfiguration? {
        guard let tls, let certificate else { return nil }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: certificate.chain, privateKey: certificate.privateKey)
        configuration.sslContextCallback = certificate.contextCallback
        ServerTLSPolicy.apply(to: &configuration)
        if let cacert = tls.cacert {
            configuration.trustRoots = .file(cacert)
            configuration.certificateVerification = clientCertificateRequired ? .noHostnameVerification : .optionalVerification
        }
        return configuration
    }

    /// The server's logger: `log.format` (JSON by default) to `log.output` or standard output, at `log.level`.
    /// With `levels`, every logger derived from it shares that level (a reload changes it).
    static func serverLogger(_ log: LogConfig, levels: LogLevelControl? = nil) throws -> Logger {
        let output = log.output.flatMap { $0.isEmpty || $0 == "/dev/stdout" ? nil : $0 }
        let factory: @Sendable (String) -> any LogHandler
        do {
            switch (log.format, output) {
            case (.json, let path?):
                factory = JSONLogHandler.factory(try JSONLogHandler.Destination(appendingTo: path))
            case (.json, nil):
                factory = JSONLogHandler.factory(.standardOutput)
            case (.text, let path?):
                factory = try FileLogHandler.factory(path: path)
            case (.text, nil):
                factory = { StreamLogHandler.standardError(label: $0) }
            }
        } catch {
            throw StartupError(description: "log.output: cannot append to \"\(output ?? "")\": \(error.localizedDescription)")
        }
        var logger = Logger(label: "zot-authz", factory: levels.map { $0.factory(factory) } ?? factory)
        logger.logLevel = Logger.Level(zotLevel: log.level)
        return logger
    }

    /// Runs the registry until the process is asked to stop (SIGTERM, SIGINT: drained for `http.shutdownTimeout`).
    /// With `configPath`, the file is watched and SIGHUP reloads it (``ConfigReloader``).
    public static func run(config: ZotConfig, configPath: String? = nil, build: ServerBuildInfo = .unknown) async throws {
        let levels = LogLevelControl(Logger.Level(zotLevel: config.log.level))
        let logger = try serverLogger(config.log, levels: levels)
        let options = try options(from: config, logger: logger, build: build)
        if let problem = await storageReachabilityProblems(config.storage).first {
            throw StartupError(description: problem)
        }
        for line in StartupReport(config: config, policy: options.policy).lines {
            if line.isWarning { logger.warning("\(line.message)") } else { logger.info("\(line.message)") }
        }
        let reloading: [Task<Void, Never>]
        // Storage settings a reload may change live (retention, gcDelay); the stores themselves are built once.
        let liveStorage = Reloadable(config.storage)
        if let configPath {
            let htpasswd = options.authenticators.authenticators.lazy.compactMap { $0 as? HtpasswdAuthenticator }.first
            let ldap = options.authenticators.authenticators.lazy.compactMap { $0 as? SwitchableAuthenticator }
                .first { $0.accountMethod == .ldap }
            let sync = (options.pullThrough as? SyncControl).map { control in
                ConfigReloader.SyncTarget(control: control, storage: options.storage, audit: options.audit,
                                          metrics: options.metrics?.metrics, logger: logger)
            }
            let targets = ConfigReloader.Targets(policies: options.policies, rateLimiters: options.rateLimiters, levels: levels,
                                                 htpasswd: htpasswd, ldap: ldap, certificate: options.serverCertificate,
                                                 storage: liveStorage, sync: sync, audit: options.audit)
            reloading = ConfigReloader(path: configPath, config: config, targets: targets, logger: logger).watch()
            logger.info("config reload: \(configPath) is watched and SIGHUP reloads it (accessControl, http.ratelimit, log.level, htpasswd path, LDAP settings, TLS certificate and key paths, storage retention and gcDelay, extensions.sync)")
        } else {
            reloading = [ignoreHangups(logger)]
        }
        let certificateWatch = options.serverCertificate.map { watchCertificate($0, logger: logger, audit: options.audit) }
        defer { certificateWatch?.cancel() }
        defer { reloading.forEach { $0.cancel() } }
        let app = try RegistryServer.application(options)
        let collections = garbageCollections(options.storage, config.storage, live: liveStorage, metrics: options.metrics?.metrics,
                                             activity: options.activity, audit: options.audit, logger: logger)
            + [repositoryIndexReconciliation(options.storage, config.storage, logger: logger)]
            + backgroundHygiene(options, config: config, logger: logger)
            + options.backgroundWork.map { work in Task.detached(priority: .background) { await work() } }
        defer { collections.forEach { $0.cancel() } }
        do {
            try await ShutdownDrain(inFlight: options.inFlight, timeout: .milliseconds(Int64(config.http.timeouts.shutdownSeconds * 1000)),
                                    logger: logger).run(app)
            try? await options.activity?.flush()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES || error.errnoCode == EADDRNOTAVAIL {
            let host = config.http.address.contains(":") ? "[\(config.http.address)]" : config.http.address
            throw StartupError(description: "listen \(host):\(config.http.port): \(String(cString: strerror(error.errnoCode)).lowercased())")
        }
    }
}

extension RegistryService {
    /// Without a config file there is nothing to reload; SIGHUP must still not kill the server.
    static func ignoreHangups(_ logger: Logger) -> Task<Void, Never> {
        Task.detached(priority: .utility) {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                logger.notice("SIGHUP ignored: the server runs on the embedded default config, there is no file to reload")
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
