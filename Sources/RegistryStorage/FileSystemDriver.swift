#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import NIOCore
import NIOFileSystem

/// A `StorageDriver` on a local directory tree: `StoragePath` `/a/b` is `<root>/a/b`.
///
/// Reads and writes stream through NIOFileSystem. `putContent` and writer commits are atomic
/// (a temporary sibling renamed into place); with `synchronous` (Zot's `storage.commit`) the
/// data and the directory entry are fsynced before the call returns. Uncommitted writer content
/// lives in a hidden sibling `.partial-<name>` (so an upload survives a restart) that `list`
/// never shows. `link` makes hard links (`.hardLinks`).
public final class FileSystemDriver: StorageDriver {
    /// The directory that is `/`.
    public let rootDirectory: String
    /// Whether commits fsync before returning.
    public let synchronous: Bool

    static let partialPrefix = ".partial-"
    static let temporaryPrefix = ".tmp-"

    /// A driver rooted at `rootDirectory` (created if missing).
    public init(rootDirectory: String, synchronous: Bool = false) throws {
        var root = rootDirectory
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.rootDirectory = root
        self.synchronous = synchronous
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw StorageDriverError.io(nil, "cannot create \(root): \(error.localizedDescription)")
        }
    }

    public var name: String { "filesystem" }
    public var capabilities: StorageCapabilities { [.hardLinks, .localFiles] }

    /// The local path of `path`.
    func local(_ path: StoragePath) -> String { path == .root ? rootDirectory : rootDirectory + path.value }

    func partial(_ path: StoragePath) -> String { local(path.parent) + "/" + Self.partialPrefix + path.lastComponent }

    public func localFile(_ path: StoragePath) -> String? { local(path) }

    public func getContent(_ path: StoragePath, maximumSize: Int) async throws -> [UInt8] {
        let info = try await stat(path)
        guard !info.isDirectory else { throw StorageDriverError.pathNotFound(path) }
        guard info.size <= Int64(maximumSize) else { throw StorageDriverError.tooLarge(path, limit: maximumSize) }
        do {
            return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(local(path))) { handle in
                var buffer = try await handle.readToEnd(maximumSizeAllowed: .bytes(Int64(maximumSize)))
                return buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        } catch {
            throw Self.mapped(error, path)
        }
    }

    public func putContent(_ path: StoragePath, _ content: [UInt8]) async throws {
        guard path != .root else { throw StorageDriverError.isDirectory(path) }
        let directory = local(path.parent)
        let temporary = directory + "/" + Self.temporaryPrefix + UUID().uuidString
        do {
            try await makeDirectory(directory)
            try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(temporary), options: .newFile(replaceExisting: false)) { handle in
                _ = try await handle.write(contentsOf: content, toAbsoluteOffset: 0)
                if synchronous { try await handle.synchronize() }
            }
            try rename(temporary, to: local(path), path)
        } catch {
            unlink(temporary)
            throw Self.mapped(error, path)
        }
        if synchronous { Self.syncDirectory(directory) }
    }

    public func reader(_ path: StoragePath, offset: Int64, length: Int64?) async throws -> StorageReadStream {
        let info = try await stat(path)
        guard !info.isDirectory else { throw StorageDriverError.pathNotFound(path) }
        guard offset >= 0, offset <= info.size else { throw StorageDriverError.invalidOffset(path, offset) }
        let end = length.map { min(info.size, offset + max(0, $0)) } ?? info.size
        guard end > offset else { return .empty }
        do {
            let handle = try await FileSystem.shared.openFile(forReadingAt: FilePath(local(path)), options: OpenOptions.Read())
            return StorageReadStream(FileChunkSource(handle: handle, offset: offset, end: end))
        } catch {
            throw Self.mapped(error, path)
        }
    }

    public func writer(_ path: StoragePath, append: Bool) async throws -> any StorageWriter {
        guard path != .root else { throw StorageDriverError.isDirectory(path) }
        let partialPath = partial(path)
        // A resumed writer appends to the kept content in place (callers never resume one path
        // twice at once); a new one writes a private temporary file, so racing writers of one
        // path never see each other's bytes and the last commit wins whole.
        let file = append ? partialPath : local(path.parent) + "/" + Self.temporaryPrefix + UUID().uuidString
        do {
            if append {
                guard FileManager.default.fileExists(atPath: partialPath) else { throw StorageDriverError.pathNotFound(path) }
            } else {
                try await makeDirectory(local(path.parent))
                unlink(partialPath)
            }
            let options: OpenOptions.Write = append ? .modifyFile(createIfNecessary: false) : .newFile(replaceExisting: false, permissions: nil)
            let handle = try await FileSystem.shared.openFile(forWritingAt: FilePath(file), options: options)
            let size: Int64
            do {
                size = try await handle.info().size
            } catch {
                try? await FileHandleClosing.close(handle, makeChangesVisible: true)
                throw error
            }
            return FileSystemWriter(driver: self, path: path, file: file, handle: handle, size: size)
        } catch {
            throw Self.mapped(error, path)
        }
    }

    public func stat(_ path: StoragePath) async throws -> StorageFileInfo {
        var st = Glibc.stat()
        guard posixStat(local(path), &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw StorageDriverError.pathNotFound(path) }
            throw StorageDriverError.io(path, Self.errnoText())
        }
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        let time = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) / 1e9)
        return StorageFileInfo(path: path, size: isDirectory ? 0 : Int64(st.st_size), modificationTime: time, isDirectory: isDirectory)
    }

    public func list(_ path: StoragePath) async throws -> [StoragePath] {
        let info = try await stat(path)
        guard info.isDirectory else { throw StorageDriverError.pathNotFound(path) }
        do {
            let names = try await FileSystem.shared.withDirectoryHandle(atPath: FilePath(local(path))) { directory in
                var names: [String] = []
                for try await batch in directory.listContents().batched() {
                    names.append(contentsOf: batch.map(\.name.string))
                }
                return names
            }
            return names.filter { !$0.hasPrefix(Self.partialPrefix) && !$0.hasPrefix(Self.temporaryPrefix) }
                .sorted()
                .compactMap { try? path.appending($0) }
        } catch {
            throw Self.mapped(error, path)
        }
    }

    public func move(_ source: StoragePath, to destination: StoragePath) async throws {
        let info = try await stat(source)
        guard !info.isDirectory else { throw StorageDriverError.isDirectory(source) }
        try await makeDirectory(local(destination.parent))
        try rename(local(source), to: local(destination), destination)
        if synchronous { Self.syncDirectory(local(destination.parent)) }
    }

    public func delete(_ path: StoragePath) async throws {
        guard path != .root else { throw StorageDriverError.invalidPath(path.value, reason: "the root cannot be deleted") }
        do {
            let removed = try await FileSystem.shared.removeItem(at: FilePath(local(path)), recursively: true)
            unlink(partial(path))
            guard removed > 0 else { throw StorageDriverError.pathNotFound(path) }
        } catch {
            throw Self.mapped(error, path)
        }
    }

    public func link(_ source: StoragePath, to destination: StoragePath) async throws {
        let info = try await stat(source)
        guard !info.isDirectory else { throw StorageDriverError.isDirectory(source) }
        let directory = local(destination.parent)
        try await makeDirectory(directory)
        // Link under a temporary name, then rename over the destination: atomic replacement.
        let temporary = directory + "/" + Self.temporaryPrefix + UUID().uuidString
        guard Glibc.link(local(source), temporary) == 0 else {
            if errno == ENOENT { throw StorageDriverError.pathNotFound(source) }
            throw StorageDriverError.io(destination, "cannot link \(source): \(Self.errnoText())")
        }
        do {
            try rename(temporary, to: local(destination), destination)
        } catch {
            unlink(temporary)
            throw error
        }
        if synchronous { Self.syncDirectory(directory) }
    }

    // MARK: helpers

    func makeDirectory(_ directory: String) async throws {
        do {
            try await FileSystem.shared.createDirectory(at: FilePath(directory), withIntermediateDirectories: true)
        } catch let error as FileSystemError where error.code == .fileAlreadyExists {
            return
        } catch {
            throw StorageDriverError.io(nil, "cannot create directory \(directory): \(error)")
        }
    }

    func rename(_ from: String, to: String, _ path: StoragePath) throws {
        guard Glibc.rename(from, to) == 0 else {
            if errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST { throw StorageDriverError.isDirectory(path) }
            throw StorageDriverError.io(path, "cannot rename into place: \(Self.errnoText())")
        }
    }

    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func mapped(_ error: any Error, _ path: StoragePath) -> any Error {
        if error is StorageDriverError { return error }
        if let error = error as? FileSystemError {
            switch error.code {
            case .notFound: return StorageDriverError.pathNotFound(path)
            default: return StorageDriverError.io(path, "\(error.message)")
            }
        }
        return StorageDriverError.io(path, "\(error)")
    }
}

/// `stat(2)` (at file scope, where the name is not shadowed by `FileSystemDriver.stat`).
private func posixStat(_ path: String, _ info: inout stat) -> Int32 { stat(path, &info) }
