#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore
import NIOFileSystem
import Synchronization

/// Reads `offset..<end` of an open file in 1 MiB chunks on demand; closes the file at the end,
/// on error, or (synchronously, by detaching the descriptor) when dropped unfinished.
final class FileChunkSource: StorageChunkSource, @unchecked Sendable {
    // Touched by one consuming task at a time (StorageChunkSource's rule), and by deinit.
    private var handle: ReadFileHandle?
    private var offset: Int64
    private let end: Int64

    init(handle: ReadFileHandle, offset: Int64, end: Int64) {
        self.handle = handle
        self.offset = offset
        self.end = end
    }

    func nextChunk() async throws -> ByteBuffer? {
        guard let handle else { return nil }
        guard offset < end else {
            self.handle = nil
            try await FileHandleClosing.close(handle)
            return nil
        }
        do {
            let chunk = try await handle.readChunk(fromAbsoluteOffset: offset, length: .bytes(min(1 << 20, end - offset)))
            guard chunk.readableBytes > 0 else { throw StorageDriverError.io(nil, "file shrank while being read") }
            offset += Int64(chunk.readableBytes)
            return chunk
        } catch {
            self.handle = nil
            try? await FileHandleClosing.close(handle)
            throw error
        }
    }

    deinit {
        if let handle, let descriptor = try? handle.detachUnsafeFileDescriptor() {
            try? descriptor.close()
        }
    }
}

/// The writer of `FileSystemDriver`: appends to a hidden sibling of its path (a private
/// temporary file, or the `.partial-<name>` content it resumes); `close` keeps it as
/// `.partial-<name>`, `commit` renames it over the path.
final class FileSystemWriter: StorageWriter, @unchecked Sendable {
    // Used by one task at a time (StorageWriter's rule); `size` may be read from others.
    private let driver: FileSystemDriver
    private let path: StoragePath
    /// The local file being written.
    private let file: String
    private var handle: WriteFileHandle?
    private var writer: BufferedWriter<WriteFileHandle>?
    private let written: ManagedAtomicInt64

    init(driver: FileSystemDriver, path: StoragePath, file: String, handle: WriteFileHandle, size: Int64) {
        self.driver = driver
        self.path = path
        self.file = file
        self.handle = handle
        writer = handle.bufferedWriter(startingAtAbsoluteOffset: size, capacity: .mebibytes(1))
        written = ManagedAtomicInt64(size)
    }

    var size: Int64 { written.load() }

    func write(_ chunk: ByteBuffer) async throws {
        guard writer != nil else { throw StorageDriverError.writerFinished(path) }
        do {
            try await writer!.write(contentsOf: chunk)
        } catch {
            throw FileSystemDriver.mapped(error, path)
        }
        written.add(Int64(chunk.readableBytes))
    }

    /// Flushes and closes the file; returns false if already finished.
    private func finish(sync: Bool) async throws {
        guard var writer, let handle else { throw StorageDriverError.writerFinished(path) }
        self.writer = nil
        self.handle = nil
        do {
            try await writer.flush()
            if sync { try await handle.synchronize() }
            try await FileHandleClosing.close(handle, makeChangesVisible: true)
        } catch {
            try? await FileHandleClosing.close(handle, makeChangesVisible: true)
            throw FileSystemDriver.mapped(error, path)
        }
    }

    func close() async throws {
        try await finish(sync: driver.synchronous)
        let partial = driver.partial(path)
        if file != partial { try driver.rename(file, to: partial, path) }
    }

    func cancel() async throws {
        guard let handle else { throw StorageDriverError.writerFinished(path) }
        writer = nil
        self.handle = nil
        try? await FileHandleClosing.close(handle, makeChangesVisible: false)
        unlink(file)
        unlink(driver.partial(path))
    }

    func commit() async throws {
        try await finish(sync: driver.synchronous)
        try driver.rename(file, to: driver.local(path), path)
        if driver.synchronous { FileSystemDriver.syncDirectory(driver.local(path.parent)) }
    }

    deinit {
        if let handle, let descriptor = try? handle.detachUnsafeFileDescriptor() {
            try? descriptor.close()
        }
    }
}

/// Closing NIOFileSystem handles so that a descriptor is never leaked: a handle dropped unclosed is a fatal error
/// in NIOFileSystem, and its asynchronous `close` can fail without closing — notably when the task was cancelled
/// (a shutdown cutting an upload). Then the descriptor is detached and closed synchronously, and the error rethrown.
enum FileHandleClosing {
    static func close(_ handle: ReadFileHandle) async throws {
        do {
            try await handle.close()
        } catch {
            if let descriptor = try? handle.detachUnsafeFileDescriptor() { try? descriptor.close() }
            throw error
        }
    }

    static func close(_ handle: WriteFileHandle, makeChangesVisible: Bool) async throws {
        do {
            try await handle.close(makeChangesVisible: makeChangesVisible)
        } catch {
            if let descriptor = try? handle.detachUnsafeFileDescriptor() { try? descriptor.close() }
            throw error
        }
    }
}

/// A lock-protected counter (`size` is read while another task writes).
final class ManagedAtomicInt64: Sendable {
    private let value: Mutex<Int64>
    init(_ initial: Int64) { value = Mutex(initial) }
    func load() -> Int64 { value.withLock { $0 } }
    func add(_ delta: Int64) { value.withLock { $0 += delta } }
}
