import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded SQLite database holding API keys, browser sessions and pending OIDC logins.
///
/// - A file database is a GRDB `DatabasePool` in WAL mode: reads run concurrently, writes are serialised.
/// - On open, a missing parent directory is created with mode `0700`; the database file is created (or
///   corrected) with mode `0600`, and SQLite gives its `-wal`/`-shm` companions the same mode. An existing
///   parent directory is left as it is (it may be shared, e.g. the storage root's parent).
/// - Migrations run on open; a database written by a newer version of this program is refused.
/// - Every call is **synchronous** and blocks the calling thread for the duration of one SQLite statement or
///   transaction (typically microseconds; a write waits for the write lock, at most 5 s when another process
///   holds it).
public final class MetadataStore: Sendable {
    /// The database file path, or `nil` for an in-memory database.
    public let path: String?
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``MetadataStoreError/cannotCreateDirectory(path:reason:)`` or
    ///   ``MetadataStoreError/cannotOpen(path:reason:)``, naming the path.
    public init(path: String) throws {
        guard !path.isEmpty else { throw MetadataStoreError.cannotOpen(path: path, reason: "the path is empty") }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try Self.createPrivateDirectoryIfMissing(directory)
        try Self.createPrivateFile(path)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrate(pool)
        } catch let error as MetadataStoreError {
            throw error
        } catch {
            throw MetadataStoreError.cannotOpen(path: path, reason: "\(error)")
        }
        for companion in [path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: companion) {
            guard chmod(companion, 0o600) == 0 else {
                throw MetadataStoreError.cannotOpen(path: companion, reason: "chmod 0600 failed: \(Self.errnoText())")
            }
        }
        self.path = path
        writer = pool
    }

    private init(inMemory queue: DatabaseQueue) {
        path = nil
        writer = queue
    }

    /// A fresh, empty in-memory database (tests, or a registry that keeps nothing across restarts).
    public static func inMemory() throws -> MetadataStore {
        do {
            let queue = try DatabaseQueue(configuration: configuration())
            try migrate(queue)
            return MetadataStore(inMemory: queue)
        } catch {
            throw MetadataStoreError.cannotOpen(path: ":memory:", reason: "\(error)")
        }
    }

    /// Runs `body` in a write transaction; failures become ``MetadataStoreError/operationFailed(operation:reason:)``.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(MetadataStoreError) -> T {
        do {
            return try writer.write(body)
        } catch {
            throw .operationFailed(operation: operation, reason: "\(error)")
        }
    }

    /// Runs `body` in a read-only transaction; failures become ``MetadataStoreError/operationFailed(operation:reason:)``.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(MetadataStoreError) -> T {
        do {
            return try writer.read(body)
        } catch {
            throw .operationFailed(operation: operation, reason: "\(error)")
        }
    }

    /// Whether the database answers a trivial read (readiness probes).
    public func isReachable() -> Bool {
        (try? read("health check") { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "zot-authz.metadata"
        configuration.busyMode = .timeout(5)
        return configuration
    }

    private static func migrate(_ writer: any DatabaseWriter) throws {
        let superseded = try writer.read { db in try MetadataSchema.migrator.hasBeenSuperseded(db) }
        if superseded {
            throw MetadataStoreError.cannotOpen(
                path: (writer as? DatabasePool)?.path ?? ":memory:",
                reason: "the database was written by a newer version of zot-authz (unknown schema migrations)"
            )
        }
        try MetadataSchema.migrator.migrate(writer)
    }

    private static func createPrivateDirectoryIfMissing(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw MetadataStoreError.cannotCreateDirectory(path: directory, reason: "it exists and is not a directory")
            }
            return
        }
        do {
            let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw MetadataStoreError.cannotCreateDirectory(path: directory, reason: error.localizedDescription)
        }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw MetadataStoreError.cannotCreateDirectory(path: directory, reason: errnoText())
        }
        guard chmod(directory, 0o700) == 0 else {
            throw MetadataStoreError.cannotCreateDirectory(path: directory, reason: "chmod 0700 failed: \(errnoText())")
        }
    }

    /// Creates `path` with mode 0600 if missing, and forces 0600 on an existing file.
    private static func createPrivateFile(_ path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else {
            throw MetadataStoreError.cannotOpen(path: path, reason: errnoText())
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw MetadataStoreError.cannotOpen(path: path, reason: "chmod 0600 failed: \(errnoText())")
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
