import Foundation
import Logging
import RegistryConfig
import RegistryHTTP
import RegistryMetadata
import RegistryS3
import RegistryRetention
import RegistryStorage

extension RegistryService {
    /// The storage of the config: Zot's on-disk format on the filesystem driver at
    /// `storage.rootDirectory`, with `dedupe` and `commit` (fsync before acknowledging); with
    /// `storage.subPaths`, a `RoutedStorage` whose routes each have their own root and settings.
    /// A root in the project's earlier layout is refused with instructions.
    /// With `metrics`, each store reports its lock latency (`zot_storage_lock_latency_seconds`, by root directory).
    static func configuredStorage(_ config: StorageConfig, metadata: MetadataStore?, metrics: RegistryMetrics? = nil) throws -> any RegistryStorageBackend {
        let main = try layoutStorage(config, key: "storage", metadata: metadata, metrics: metrics)
        guard !config.subPaths.isEmpty else { return main }
        var roots = [standardized(config.rootDirectory): "storage"]
        var routes: [String: LayoutStorage] = [:]
        for (route, sub) in config.subPaths.sorted(by: { $0.key < $1.key }) {
            let key = "storage.subPaths.\(route)"
            guard !route.dropFirst().contains("/") else {
                throw StartupError(description: "\(key): a route is one path segment (Zot routes by the first segment of a repository name, e.g. \"/a\" serves a/…)")
            }
            if let other = roots[standardized(sub.rootDirectory)] {
                throw StartupError(description: "\(key).rootDirectory: \"\(sub.rootDirectory)\" is also the root of \(other); each store needs its own directory")
            }
            roots[standardized(sub.rootDirectory)] = key
            routes[route] = try layoutStorage(sub, key: key, metadata: metadata, metrics: metrics)
        }
        return RoutedStorage(defaultStore: main, routes: routes)
    }

    static func standardized(_ path: String) -> String { (path as NSString).standardizingPath }

    /// One store: S3 or the filesystem; a filesystem store's dedupe index lives in the metadata database (scope `key`).
    static func layoutStorage(_ config: StorageConfig, key: String, metadata: MetadataStore?, metrics: RegistryMetrics? = nil) throws -> LayoutStorage {
        let root = config.rootDirectory
        var observer: (@Sendable (Duration) -> Void)?
        if let metrics {
            observer = { duration in metrics.observeStorageLock(storageName: root, duration: duration) }
        }
        if let s3 = config.s3Driver {
            return LayoutStorage(driver: try s3Driver(s3, key: key), dedupe: config.dedupe, repositoryIndex: repositoryIndex(metadata, key),
                                 lockObserver: observer)
        }
        let driver: FileSystemDriver
        do {
            try LegacyLayoutCheck.refuseLegacyLayout(localRoot: config.rootDirectory)
            driver = try FileSystemDriver(rootDirectory: config.rootDirectory, synchronous: config.commit)
        } catch let error as LegacyLayoutError {
            throw StartupError(description: "\(key).rootDirectory: \(error)")
        } catch {
            throw StartupError(description: "\(key).rootDirectory: cannot use \"\(config.rootDirectory)\": \(error)")
        }
        let index: any DedupeIndexStore = metadata.map { SQLiteDedupeIndexStore(store: $0, scope: key) } ?? InMemoryDedupeIndexStore()
        return LayoutStorage(driver: driver, dedupe: config.dedupe, dedupeIndex: index, repositoryIndex: repositoryIndex(metadata, key),
                             lockObserver: observer)
    }

    /// A store's repository index: in the metadata database (scope `key`) when there is one, else in memory.
    static func repositoryIndex(_ metadata: MetadataStore?, _ key: String) -> any RepositoryIndexStore {
        metadata.map { SQLiteRepositoryIndexStore(store: $0, scope: key) } ?? InMemoryRepositoryIndexStore()
    }

    /// After a start, brings every store's repository index in line with its layout, in the background (listings are
    /// served from the index meanwhile; an unbuilt index is built by the first listing).
    static func repositoryIndexReconciliation(_ storage: any RegistryStorageBackend, _ config: StorageConfig, logger: Logger) -> Task<Void, Never> {
        let stores = stores(storage, config).map(\.0)
        return Task.detached(priority: .utility) {
            for store in stores {
                do { try await store.reconcileRepositoryIndex() } catch {
                    logger.warning("repository index not reconciled with the layout", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// The S3 driver of `storage.storageDriver` (name: s3), on the process-wide HTTP client. Credentials come from
    /// the config, else the environment, else `~/.aws/credentials`; nothing is contacted here (see
    /// ``storageReachabilityProblems(_:)``).
    static func s3Driver(_ settings: S3DriverSettings, key: String) throws -> S3StorageDriver {
        do {
            let configuration = try S3Configuration(settings: settings)
            let client = S3Client(configuration: configuration,
                                  httpClient: S3Client.processWideHTTPClient(skipTLSVerify: configuration.skipTLSVerify))
            return try S3StorageDriver(settings: settings, client: client)
        } catch {
            throw StartupError(description: "\(key).storageDriver: \(error)")
        }
    }

    /// Asks every S3 store whether its bucket answers (a one-key listing under the root): a wrong endpoint, bucket,
    /// region or key is named at start and by `verify`, not at the first push.
    public static func storageReachabilityProblems(_ config: StorageConfig) async -> [String] {
        var stores: [(String, S3DriverSettings)] = []
        if let s3 = config.s3Driver { stores.append(("storage", s3)) }
        for (route, sub) in config.subPaths.sorted(by: { $0.key < $1.key }) {
            if let s3 = sub.s3Driver { stores.append(("storage.subPaths.\(route)", s3)) }
        }
        var problems: [String] = []
        for (key, settings) in stores {
            do {
                let driver = try s3Driver(settings, key: key)
                _ = try await driver.client.listObjectsV2(prefix: driver.keys.key(.root), maxKeys: 1)
            } catch let error as StartupError {
                problems.append(error.description)
            } catch {
                problems.append("\(key).storageDriver: bucket \"\(settings.bucket)\" at \(settings.regionEndpoint ?? "AWS \(settings.region)") cannot be listed: \(error)")
            }
        }
        return problems
    }

    /// Each store with the settings it was made from (for GC).
    static func stores(_ storage: any RegistryStorageBackend, _ config: StorageConfig) -> [(LayoutStorage, StorageConfig)] {
        if let layout = storage as? LayoutStorage { return [(layout, config)] }
        guard let routed = storage as? RoutedStorage else { return [] }
        var result = [(routed.defaultStore, config)]
        for (route, store) in routed.routes.sorted(by: { $0.key < $1.key }) {
            if let sub = config.subPaths[route] { result.append((store, sub)) }
        }
        return result
    }

    /// ``stores(_:_:)`` with the `subPaths` route of each (`nil` for the default store).
    static func routedStores(_ storage: any RegistryStorageBackend, _ config: StorageConfig) -> [(LayoutStorage, StorageConfig, String?)] {
        if let layout = storage as? LayoutStorage { return [(layout, config, nil)] }
        guard let routed = storage as? RoutedStorage else { return [] }
        var result: [(LayoutStorage, StorageConfig, String?)] = [(routed.defaultStore, config, nil)]
        for (route, store) in routed.routes.sorted(by: { $0.key < $1.key }) {
            if let sub = config.subPaths[route] { result.append((store, sub, route)) }
        }
        return result
    }

    /// Bytes stored by the backend, for the storage size gauge.
    static func storageUsage(_ storage: any RegistryStorageBackend) async -> StorageUsage {
        if let layout = storage as? LayoutStorage { return await layout.storageUsage() }
        if let routed = storage as? RoutedStorage { return await routed.storageUsage() }
        return StorageUsage()
    }

    /// Starts `storage.gc` for every store whose settings enable it.
    /// `live` holds the storage settings in force (replaced by a config reload that changes retention or gcDelay).
    static func garbageCollections(_ storage: any RegistryStorageBackend, _ config: StorageConfig, live: Reloadable<StorageConfig>,
                                   metrics: RegistryMetrics?, activity: ActivityRecorder?, audit: AuditTrail?,
                                   logger: Logger) -> [Task<Void, Never>] {
        return routedStores(storage, config).compactMap { store, settings, route in
            guard settings.gc else { return nil }
            let current: @Sendable () -> StorageConfig = {
                guard let route else { return live.value }
                return live.value.subPaths[route] ?? settings
            }
            return garbageCollection(store, settings, current: current, metrics: metrics, activity: activity, audit: audit, logger: logger)
        }
    }
}
