import Foundation
import RegistryConfig
import RegistryCore
import RegistryMetadata
import RegistryPolicy
import RegistryRetention
import RegistryHTTP
import RegistryStorage

/// What the `retention` and `scrub` commands run: the server's own stores, metadata database and collectors, opened
/// without starting a server (meant for a stopped registry, like Zot's `scrub` command).
public enum HygieneCommands {
    /// The retention decisions of one store.
    public struct StoreRetention: Sendable {
        /// `storage` or `storage.subPaths./a`.
        public var store: String
        /// The store's `retention.dryRun` (the command itself never deletes).
        public var configuredDryRun: Bool
        public var outcomes: [RetentionOutcome]
        /// The recorded push/pull activity of each repository listed, by name.
        public var activity: [String: RepositoryActivity] = [:]

        /// The activity retention read for one decision: the tag's (else its manifest's), or the untagged manifest's.
        public func activity(of decision: RetentionDecision, in repository: String) -> Activity? {
            guard let recorded = activity[repository] else { return nil }
            if let tag = decision.tag { return recorded.forTag(tag, digest: decision.digest) }
            return recorded.manifests[decision.digest]
        }
    }

    /// Evaluates retention for every repository (those `repositories` matches, when given) exactly as GC would now,
    /// from the same storage and push/pull statistics the server uses; deletes nothing.
    public static func retention(_ config: ZotConfig, repositories: GlobPattern?, now: Date = Date()) async throws -> [StoreRetention] {
        let activity = SQLiteActivityStore(store: try RegistryService.metadataStore(config))
        let storage = try RegistryService.configuredStorage(config.storage, metadata: activity.store)
        var result: [StoreRetention] = []
        for (key, store, settings) in stores(storage, config.storage) {
            let collector = RegistryService.garbageCollector(store, settings, activity: activity)
            var outcomes: [RetentionOutcome] = []
            var recorded: [String: RepositoryActivity] = [:]
            for name in try await store.catalog() where repositories?.matches(name) ?? true {
                guard let repository = RepositoryName(name), let outcome = try await collector.evaluate(repository, now: now) else { continue }
                outcomes.append(outcome)
                recorded[name] = try await activity.activity(of: name)
            }
            result.append(StoreRetention(store: key, configuredDryRun: settings.retention.dryRun, outcomes: outcomes, activity: recorded))
        }
        return result
    }

    /// One scrub pass over every store (repositories `repositories` matches, when given), read-only.
    public static func scrub(_ config: ZotConfig, repositories: GlobPattern?) async throws -> [(store: String, report: Scrubber.Report)] {
        let storage = try RegistryService.configuredStorage(config.storage, metadata: try RegistryService.metadataStore(config))
        var result: [(String, Scrubber.Report)] = []
        for (key, store, _) in stores(storage, config.storage) {
            var include: (@Sendable (String) -> Bool)?
            if let repositories { include = { name in repositories.matches(name) } }
            let report = try await Scrubber(storage: store).scrub(include: include)
            result.append((key, report))
        }
        return result
    }

    /// Each store with its config key and settings.
    static func stores(_ storage: any RegistryStorageBackend, _ config: StorageConfig) -> [(String, LayoutStorage, StorageConfig)] {
        if let layout = storage as? LayoutStorage { return [("storage", layout, config)] }
        guard let routed = storage as? RoutedStorage else { return [] }
        var result = [("storage", routed.defaultStore, config)]
        for (route, store) in routed.routes.sorted(by: { $0.key < $1.key }) {
            if let sub = config.subPaths[route] { result.append(("storage.subPaths.\(route)", store, sub)) }
        }
        return result
    }
}
