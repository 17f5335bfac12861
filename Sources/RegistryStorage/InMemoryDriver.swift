import Foundation
import NIOCore
import Synchronization

/// A `StorageDriver` keeping everything in memory, for unit tests of the layers above the
/// driver. It follows every rule of the protocol (the conformance suite runs against it) but
/// has no persistence: uncommitted writer content survives only as long as the driver.
public final class InMemoryDriver: StorageDriver {
    struct Entry: Sendable {
        var content: [UInt8]
        var modificationTime: Date
    }

    struct State: Sendable {
        var files: [String: Entry] = [:]
        var pending: [String: [UInt8]] = [:]
    }

    let state = Mutex(State())

    /// An empty in-memory store.
    public init() {}

    public var name: String { "inmemory" }
    public var capabilities: StorageCapabilities { [] }

    public func getContent(_ path: StoragePath, maximumSize: Int) async throws -> [UInt8] {
        guard let entry = state.withLock({ $0.files[path.value] }) else { throw StorageDriverError.pathNotFound(path) }
        guard entry.content.count <= maximumSize else { throw StorageDriverError.tooLarge(path, limit: maximumSize) }
        return entry.content
    }

    public func putContent(_ path: StoragePath, _ content: [UInt8]) async throws {
        try state.withLock { state throws(StorageDriverError) in try Self.store(content, at: path, in: &state) }
    }

    static func store(_ content: [UInt8], at path: StoragePath, in state: inout State) throws(StorageDriverError) {
        guard path != .root, !isDirectory(path, in: state) else { throw .isDirectory(path) }
        state.files[path.value] = Entry(content: content, modificationTime: Date())
    }

    static func isDirectory(_ path: StoragePath, in state: State) -> Bool {
        let prefix = path == .root ? "/" : path.value + "/"
        return state.files.keys.contains { $0.hasPrefix(prefix) }
    }

    public func reader(_ path: StoragePath, offset: Int64, length: Int64?) async throws -> StorageReadStream {
        let content = try await getContent(path, maximumSize: .max)
        guard offset >= 0, offset <= Int64(content.count) else { throw StorageDriverError.invalidOffset(path, offset) }
        let end = length.map { min(Int64(content.count), offset + max(0, $0)) } ?? Int64(content.count)
        let slice = Array(content[Int(offset)..<Int(end)])
        let chunks = stride(from: 0, to: slice.count, by: 64 * 1024).map { start in
            ByteBuffer(bytes: slice[start..<min(slice.count, start + 64 * 1024)])
        }
        return StorageReadStream(chunks: chunks.async)
    }

    public func writer(_ path: StoragePath, append: Bool) async throws -> any StorageWriter {
        guard path != .root else { throw StorageDriverError.isDirectory(path) }
        let start: [UInt8] = try state.withLock { state throws(StorageDriverError) in
            if append {
                guard let pending = state.pending[path.value] else { throw .pathNotFound(path) }
                return pending
            }
            state.pending[path.value] = nil
            return []
        }
        return InMemoryWriter(driver: self, path: path, content: start)
    }

    public func stat(_ path: StoragePath) async throws -> StorageFileInfo {
        try state.withLock { state throws(StorageDriverError) in
            if let entry = state.files[path.value] {
                return StorageFileInfo(path: path, size: Int64(entry.content.count), modificationTime: entry.modificationTime, isDirectory: false)
            }
            let prefix = path == .root ? "/" : path.value + "/"
            let below = state.files.filter { $0.key.hasPrefix(prefix) }
            guard path == .root || !below.isEmpty else { throw .pathNotFound(path) }
            let newest = below.values.map(\.modificationTime).max() ?? Date(timeIntervalSince1970: 0)
            return StorageFileInfo(path: path, size: 0, modificationTime: newest, isDirectory: true)
        }
    }

    public func list(_ path: StoragePath) async throws -> [StoragePath] {
        let names: Set<String> = try state.withLock { state throws(StorageDriverError) in
            guard state.files[path.value] == nil else { throw .pathNotFound(path) }
            let prefix = path == .root ? "/" : path.value + "/"
            var children = Set<String>()
            for key in state.files.keys where key.hasPrefix(prefix) {
                let rest = key.dropFirst(prefix.count)
                children.insert(String(rest.prefix { $0 != "/" }))
            }
            guard path == .root || !children.isEmpty else { throw .pathNotFound(path) }
            return children
        }
        return try names.sorted().map { name throws(StorageDriverError) in try path.appending(name) }
    }

    public func move(_ source: StoragePath, to destination: StoragePath) async throws {
        try state.withLock { state throws(StorageDriverError) in
            guard let entry = state.files[source.value] else { throw .pathNotFound(source) }
            guard source != destination else { return }
            try Self.store(entry.content, at: destination, in: &state)
            state.files[source.value] = nil
        }
    }

    public func delete(_ path: StoragePath) async throws {
        guard path != .root else { throw StorageDriverError.invalidPath(path.value, reason: "the root cannot be deleted") }
        try state.withLock { state throws(StorageDriverError) in
            let prefix = path.value + "/"
            let doomed = state.files.keys.filter { $0 == path.value || $0.hasPrefix(prefix) }
            guard !doomed.isEmpty else { throw .pathNotFound(path) }
            for key in doomed { state.files[key] = nil }
            for key in state.pending.keys where key == path.value || key.hasPrefix(prefix) { state.pending[key] = nil }
        }
    }
}

/// A writer of `InMemoryDriver`.
final class InMemoryWriter: StorageWriter {
    struct State: Sendable {
        var content: [UInt8]
        var finished = false
    }

    let driver: InMemoryDriver
    let path: StoragePath
    let state: Mutex<State>

    init(driver: InMemoryDriver, path: StoragePath, content: [UInt8]) {
        self.driver = driver
        self.path = path
        state = Mutex(State(content: content))
    }

    var size: Int64 { state.withLock { Int64($0.content.count) } }

    func write(_ chunk: ByteBuffer) async throws {
        try state.withLock { state throws(StorageDriverError) in
            guard !state.finished else { throw .writerFinished(path) }
            state.content.append(contentsOf: chunk.readableBytesView)
        }
    }

    private func finish() throws(StorageDriverError) -> [UInt8] {
        try state.withLock { state throws(StorageDriverError) in
            guard !state.finished else { throw .writerFinished(path) }
            state.finished = true
            return state.content
        }
    }

    func close() async throws {
        let content = try finish()
        driver.state.withLock { $0.pending[path.value] = content }
    }

    func cancel() async throws {
        _ = try finish()
        driver.state.withLock { $0.pending[path.value] = nil }
    }

    func commit() async throws {
        let content = try finish()
        try driver.state.withLock { state throws(StorageDriverError) in
            try InMemoryDriver.store(content, at: path, in: &state)
            state.pending[path.value] = nil
        }
    }
}
