import Foundation
import NIOCore

/// The few verbs every storage backend implements, modelled on CNCF Distribution's
/// `storagedriver.StorageDriver`. The registry logic (Zot's OCI-layout format, dedupe, GC,
/// uploads) is written once above this protocol; a driver knows nothing about registries.
///
/// Paths are `StoragePath`s (validated, driver-relative, `/`-separated); directories exist
/// implicitly while something lies below them (as S3 prefixes do): writing `/a/b/c` makes `/a`
/// and `/a/b` directories, and a driver may remove a directory that became empty. Every verb
/// that names a missing path throws `StorageDriverError.pathNotFound(path)`; other failures are
/// `StorageDriverError` values too (`.io` for the backend's own errors), never a crash.
///
/// Concurrency: all verbs may be called concurrently from many tasks. Single-object operations
/// (`putContent`, `commit` of a writer, `move`) are atomic for readers: a reader sees the old
/// content or the new one, never a mix. Two writers of the same path race; the last `commit` wins.
///
/// Conformance: `StorageDriverConformance` (target `RegistryStorageConformance`) checks every
/// rule below; a new driver's tests call it with a factory of fresh, empty drivers.
public protocol StorageDriver: Sendable {
    /// A short name for messages and `verify` (`filesystem`, `inmemory`, `s3`).
    var name: String { get }

    /// Optional abilities beyond the required verbs.
    var capabilities: StorageCapabilities { get }

    /// The whole content of a small object (index.json, oci-layout, manifests).
    /// Throws `.pathNotFound` if missing or a directory, `.tooLarge` if over `maximumSize` bytes.
    func getContent(_ path: StoragePath, maximumSize: Int) async throws -> [UInt8]

    /// Replaces the content of `path` atomically (filesystem: temporary sibling + fsync + rename;
    /// S3: one PUT). Creates parent directories as needed. A driver may refuse (`.isDirectory`) to
    /// write a file where a directory is; callers never do that.
    func putContent(_ path: StoragePath, _ content: [UInt8]) async throws

    /// A streaming read of `length` bytes (all remaining when `nil`) starting at `offset`.
    /// Checks eagerly: throws `.pathNotFound` before returning if `path` is missing or a directory,
    /// `.invalidOffset` if `offset < 0` or `offset > size`; `offset == size` gives an empty stream.
    /// A `length` past the end is cut at the end. Chunks arrive in order, sized as the driver
    /// likes (≤ 1 MiB is a good choice); nothing is read before the consumer asks (back-pressure).
    /// The stream is single-pass and releases its resources when exhausted, on error, or when
    /// dropped unfinished.
    func reader(_ path: StoragePath, offset: Int64, length: Int64?) async throws -> StorageReadStream

    /// A writer of new content for `path`, invisible at `path` until `commit()`.
    ///
    /// With `append: false` it starts empty (discarding any uncommitted content a previous writer
    /// left). With `append: true` it resumes the uncommitted content a previous writer of `path`
    /// kept with `close()` — possibly in an earlier process — and `size` starts at its length;
    /// throws `.pathNotFound` if there is none. This is how chunked uploads survive restarts; it
    /// maps onto S3 multipart uploads (no seek, no overwrite of written bytes).
    func writer(_ path: StoragePath, append: Bool) async throws -> any StorageWriter

    /// Size, modification time and kind of `path`. A directory (or S3 prefix with objects below
    /// it) reports `isDirectory: true` and size 0. Throws `.pathNotFound`.
    func stat(_ path: StoragePath) async throws -> StorageFileInfo

    /// The immediate children of directory `path` (full paths, sorted, files and directories),
    /// excluding uncommitted writer content. `list(.root)` of an empty driver is `[]`; any other
    /// missing path, or a file, throws `.pathNotFound`.
    func list(_ path: StoragePath) async throws -> [StoragePath]

    /// Moves the file `source` to `destination`, replacing what is there, creating parents.
    /// Readers see the old content or the new one. Throws `.pathNotFound` if `source` is missing.
    /// (Moving directories is not required.)
    func move(_ source: StoragePath, to destination: StoragePath) async throws

    /// Deletes a file, or a directory and everything below it. Throws `.pathNotFound` if nothing
    /// is at `path`. Deleting `.root` is refused with `.invalidPath`.
    func delete(_ path: StoragePath) async throws

    /// Makes `destination` hold the same content as the file `source`, replacing what is there.
    /// With `.hardLinks` this is a hard link sharing storage (dedupe); without it a copy (S3:
    /// server-side CopyObject). Deleting either path later never affects the other's content.
    /// The default implementation copies through `reader` and `writer`.
    func link(_ source: StoragePath, to destination: StoragePath) async throws

    /// The local file behind `path`, for drivers with `.localFiles` (the filesystem), so the HTTP
    /// layer can serve it with its fast file path; `nil` otherwise (the default).
    func localFile(_ path: StoragePath) -> String?
}

/// A writer created by `StorageDriver.writer(_:append:)`. Use it from one task at a time; after
/// `commit`, `cancel` or `close` every further call throws `.writerFinished`.
public protocol StorageWriter: AnyObject, Sendable {
    /// Bytes of content so far, including resumed bytes.
    var size: Int64 { get }

    /// Appends `chunk`. The driver may buffer; data is durable only after `close` or `commit`.
    func write(_ chunk: ByteBuffer) async throws

    /// Keeps what was written (durably) for a later `writer(path, append: true)`, without making
    /// it visible at the path.
    func close() async throws

    /// Discards everything written, including resumed content.
    func cancel() async throws

    /// Makes the content visible at the path atomically (filesystem: fsync + rename).
    func commit() async throws
}

/// Optional driver abilities.
public struct StorageCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `link` makes hard links (one copy on disk for many paths).
    public static let hardLinks = StorageCapabilities(rawValue: 1 << 0)
    /// `localFile` returns the local file behind a path.
    public static let localFiles = StorageCapabilities(rawValue: 1 << 1)
}

/// What `stat` reports.
public struct StorageFileInfo: Sendable, Equatable {
    /// The path asked about.
    public var path: StoragePath
    /// Bytes of content (0 for directories).
    public var size: Int64
    /// Last modification (for directories: as the backend reports it, or the newest child).
    public var modificationTime: Date
    /// Whether `path` is a directory (S3: a prefix with objects below it).
    public var isDirectory: Bool

    public init(path: StoragePath, size: Int64, modificationTime: Date, isDirectory: Bool) {
        self.path = path
        self.size = size
        self.modificationTime = modificationTime
        self.isDirectory = isDirectory
    }
}

/// The errors of every driver verb.
public enum StorageDriverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing (or not the expected kind of thing) is at the path.
    case pathNotFound(StoragePath)
    /// The text is not a valid `StoragePath`, or the verb refuses the path (e.g. deleting `/`).
    case invalidPath(String, reason: String)
    /// A read offset outside `0...size`.
    case invalidOffset(StoragePath, Int64)
    /// `getContent` of something larger than its limit.
    case tooLarge(StoragePath, limit: Int)
    /// The path is a directory where a file is needed.
    case isDirectory(StoragePath)
    /// The writer was already committed, cancelled or closed.
    case writerFinished(StoragePath)
    /// The driver lacks an optional ability.
    case unsupported(String)
    /// The backend failed (disk full, permissions, network, S3 error); the text says how.
    case io(StoragePath?, String)

    public var description: String {
        switch self {
        case .pathNotFound(let path): return "\(path): not found"
        case .invalidPath(let text, let reason): return "invalid storage path \"\(text)\": \(reason)"
        case .invalidOffset(let path, let offset): return "\(path): offset \(offset) is outside the content"
        case .tooLarge(let path, let limit): return "\(path): larger than \(limit) bytes"
        case .isDirectory(let path): return "\(path): is a directory"
        case .writerFinished(let path): return "\(path): the writer is already committed, cancelled or closed"
        case .unsupported(let text): return "unsupported: \(text)"
        case .io(let path, let text): return path.map { "\($0): \(text)" } ?? text
        }
    }
}

extension StorageDriver {
    public func link(_ source: StoragePath, to destination: StoragePath) async throws {
        try await copy(source, to: destination)
    }

    public func localFile(_ path: StoragePath) -> String? { nil }

    /// Copies `source` to `destination` through `reader` and `writer` (content is streamed).
    public func copy(_ source: StoragePath, to destination: StoragePath) async throws {
        let stream = try await reader(source, offset: 0, length: nil)
        let writer = try await writer(destination, append: false)
        do {
            for try await chunk in stream { try await writer.write(chunk) }
            try await writer.commit()
        } catch {
            try? await writer.cancel()
            throw error
        }
    }

    /// Whether something (file or directory) is at `path`.
    public func exists(_ path: StoragePath) async throws -> Bool {
        do {
            _ = try await stat(path)
            return true
        } catch StorageDriverError.pathNotFound {
            return false
        }
    }

    /// `list`, with a missing directory treated as empty.
    public func listIfPresent(_ path: StoragePath) async throws -> [StoragePath] {
        do {
            return try await list(path)
        } catch StorageDriverError.pathNotFound {
            return []
        }
    }

    /// `delete`, with a missing path ignored; returns whether something was deleted.
    @discardableResult
    public func deleteIfPresent(_ path: StoragePath) async throws -> Bool {
        do {
            try await delete(path)
            return true
        } catch StorageDriverError.pathNotFound {
            return false
        }
    }
}
