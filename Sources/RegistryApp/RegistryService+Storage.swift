import Foundation
import Logging
import RegistryConfig
import RegistryHTTP
import RegistryStorage

extension RegistryService {
    /// The storage of the config: Zot's on-disk format on the filesystem driver at
    /// `storage.rootDirectory`, with `dedupe` and `commit` (fsync before acknowledging); with
    /// `storage.subPaths`, a `RoutedStorage` whose routes each have their own root and settings.
    /// A root in the project's earlier layout is refused with instructions.
    /// With `metrics`, each store reports its lock latency (`zot_storage_lock_latency_seconds`, by root directory).
    static func configuredStorage(_ config: StorageConfig, metrics: RegistryMetrics? = nil) throws -> any RegistryStorageBackend {
        let main = try layoutStorage(config, key: "storage", metrics: metrics)
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
            routes[route] = try layoutStorage(sub, key: key, metrics: metrics)
        }
        return RoutedStorage(defaultStore: main, routes: routes)
    }

    static func standardized(_ path: String) -> String { (path as NSString).standardizingPath }

    static func layoutStorage(_ config: StorageConfig, key: String, metrics: RegistryMetrics? = nil) throws -> LayoutStorage {
        let driver: FileSystemDriver
        do {
            try LegacyLayoutCheck.refuseLegacyLayout(localRoot: config.rootDirectory)
            driver = try FileSystemDriver(rootDirectory: config.rootDirectory, synchronous: config.commit)
        } catch let error as LegacyLayoutError {
            throw StartupError(description: "\(key).rootDirectory: \(error)")
        } catch {
            throw StartupError(description: "\(key).rootDirectory: cannot use \"\(config.rootDirectory)\": \(error)")
        }
        let root = config.rootDirectory
        var observer: (@Sendable (Duration) -> Void)?
        if let metrics {
            observer = { duration in metrics.observeStorageLock(storageName: root, duration: duration) }
        }
        return LayoutStorage(driver: driver, dedupe: config.dedupe, lockObserver: observer)
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

    /// Bytes stored by the backend, for the storage size gauge.
    static func storageUsage(_ storage: any RegistryStorageBackend) async -> StorageUsage {
        if let layout = storage as? LayoutStorage { return await layout.storageUsage() }
        if let routed = storage as? RoutedStorage { return await routed.storageUsage() }
        return StorageUsage()
    }

    /// Starts `storage.gc` for every store whose settings enable it.
    static func garbageCollections(_ storage: any RegistryStorageBackend, _ config: StorageConfig, metrics: RegistryMetrics?,
                                   logger: Logger) -> [Task<Void, Never>] {
        stores(storage, config).compactMap { store, settings in
            settings.gc ? garbageCollection(store, settings, metrics: metrics, logger: logger) : nil
        }
    }
}
