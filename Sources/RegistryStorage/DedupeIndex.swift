import Logging
import RegistryCore

/// Zot's dedupe cache as the storage logic uses it: a ``DedupeIndexStore`` that is rebuilt by scanning the layout when
/// it was never built (a new database, or one deleted by hand), and kept in step afterwards. A failing store never
/// fails a push: the blob is then stored as its own copy, which is always correct, and the failure is logged.
actor DedupeIndex {
    private let store: any DedupeIndexStore
    private let logger: Logger
    private var checked = false

    init(store: any DedupeIndexStore, logger: Logger = Logger(label: "zot-authz.dedupe")) {
        self.store = store
        self.logger = logger
    }

    func paths(for digest: Digest, scan: @Sendable () async -> [(Digest, StoragePath)]) async -> [StoragePath] {
        do {
            if !checked {
                if try await !store.isBuilt() { try await store.markBuilt(adding: await scan()) }
                checked = true
            }
            return try await store.paths(for: digest)
        } catch {
            logger.warning("dedupe index unavailable; storing a separate copy", metadata: ["error": "\(error)"])
            return []
        }
    }

    func add(_ digest: Digest, _ path: StoragePath) async {
        do { try await store.add(digest, path) } catch {
            logger.warning("dedupe index not updated", metadata: ["digest": "\(digest)", "error": "\(error)"])
        }
    }

    func remove(_ digest: Digest, _ path: StoragePath) async {
        do { try await store.remove(digest, path) } catch {
            logger.warning("dedupe index not updated", metadata: ["digest": "\(digest)", "error": "\(error)"])
        }
    }
}
