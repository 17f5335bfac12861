import AsyncHTTPClient
import Logging
import RegistryConfig
import RegistryHTTP
import RegistryStorage
import RegistrySync
import Synchronization

extension RegistryService {
    /// `extensions.sync` made runnable: the pull-through cache (when a registry is `onDemand`) and the periodic
    /// mirror (when one has a `pollInterval`). Their HTTP clients live as long as the process.
    static func syncServices(_ config: ZotConfig, storage: any RegistryStorageBackend, audit: AuditTrail?,
                             metrics: RegistryMetrics?, logger: Logger) throws -> (onDemand: OnDemandSync?, periodic: PeriodicSync?) {
        guard let sync = config.extensions.sync, sync.enable, !sync.registries.isEmpty else { return (nil, nil) }
        let syncLogger = Logger(label: logger.label, factory: { _ in logger.handler })
        let credentials = CredentialsFileSource(path: sync.credentialsFile, logger: syncLogger)
        var registries: [SyncedRegistry] = []
        for (index, settings) in sync.registries.enumerated() {
            let http: HTTPClient
            do {
                http = try UpstreamHTTPClientFactory.make(settings)
            } catch {
                throw StartupError(description: "extensions.sync.registries[\(index)].certDir: \(error)")
            }
            SyncHTTPClients.keep(http)
            registries.append(SyncedRegistry(settings: settings, http: http, credentials: credentials, logger: syncLogger))
        }
        metrics?.registerSyncSeries(upstreams: sync.registries.flatMap(\.urls).compactMap { UpstreamEndpoint($0)?.base })
        let observer = SyncActivity(audit: audit, metrics: metrics, logger: syncLogger)
        let onDemand = registries.contains(where: \.settings.onDemand)
            ? OnDemandSync(registries: registries, storage: storage, maxDownloadBytes: sync.maxDownloadBytes,
                           downloadDir: sync.downloadDir, observer: observer, logger: syncLogger)
            : nil
        let periodic = registries.contains { $0.settings.pollIntervalSeconds != nil }
            ? PeriodicSync(registries: registries, storage: storage, maxDownloadBytes: sync.maxDownloadBytes,
                           downloadDir: sync.downloadDir, observer: observer, logger: syncLogger)
            : nil
        for (index, registry) in sync.registries.enumerated() where !registry.onDemand && registry.pollIntervalSeconds == nil {
            logger.warning("extensions.sync.registries[\(index)] has neither onDemand nor pollInterval: it never syncs")
        }
        return (onDemand, periodic)
    }
}

/// Holds the sync HTTP clients until the process exits (AsyncHTTPClient must not be released unshut).
enum SyncHTTPClients {
    private static let kept = Mutex<[HTTPClient]>([])

    static func keep(_ client: HTTPClient) {
        kept.withLock { $0.append(client) }
    }
}
