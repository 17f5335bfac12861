#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Small synchronous filesystem helpers for metadata-sized files. Bulk data goes through
/// NIOFileSystem in `UploadWriter`; these operate on files of a few kilobytes at most.
enum FileOperations {
    /// Creates `path` and its parents.
    static func makeDirectories(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The size of a regular file, or `nil` if it does not exist.
    static func size(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    /// Whether a regular file exists at `path`.
    static func exists(_ path: String) -> Bool { size(path) != nil }

    /// Reads a whole small file.
    static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path` atomically: a temporary sibling, optional fsync, then rename.
    static func writeAtomically(_ bytes: [UInt8], to path: String, sync: Bool) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try makeDirectories(directory)
        let temporary = "\(directory)/.tmp-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw StorageFailure.io("cannot create \(temporary): \(errnoText())") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let text = errnoText()
                close(fd)
                unlink(temporary)
                throw StorageFailure.io("cannot write \(temporary): \(text)")
            }
            written += n
        }
        if sync { fsync(fd) }
        close(fd)
        try rename(temporary, to: path)
        if sync { syncDirectory(directory) }
    }

    /// Writes `bytes` to `path` only if nothing is there yet, atomically: the complete file is
    /// hard-linked into place, which fails if `path` exists. Returns false if it existed.
    static func createExclusively(_ bytes: [UInt8], at path: String, sync: Bool) throws -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(directory)/.tmp-\(UUID().uuidString)"
        try writeAtomically(bytes, to: temporary, sync: sync)
        defer { unlink(temporary) }
        if link(temporary, path) == 0 {
            if sync { syncDirectory(directory) }
            return true
        }
        if errno == EEXIST { return false }
        throw StorageFailure.io("cannot create \(path): \(errnoText())")
    }

    /// Atomically renames `source` to `destination`, replacing it.
    static func rename(_ source: String, to destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else {
            throw StorageFailure.io("cannot rename into \(destination): \(errnoText())")
        }
    }

    /// Flushes a file's data to disk.
    static func syncFile(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Flushes a directory entry (after a rename) to disk.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Removes a file; returns whether something was removed.
    @discardableResult
    static func remove(_ path: String) -> Bool { unlink(path) == 0 }

    /// Names in a directory (not starting with "."), or empty if it does not exist.
    static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// A storage failure that is not the client's fault (disk full, permissions).
public enum StorageFailure: Error, Sendable, CustomStringConvertible {
    case io(String)

    public var description: String {
        switch self {
        case .io(let text): return text
        }
    }
}
