import Foundation
import NIOCore
import RegistryCore
import RegistryStorage
import Testing

/// A repository name from a literal fixture.
func repo(_ text: String) -> RepositoryName {
    guard let name = RepositoryName(text) else { preconditionFailure("fixture \"\(text)\" is not a valid name") }
    return name
}

/// A fresh storage root under the temporary directory, removed when `body` returns or throws.
func withTemporaryRoot<T>(_ body: (String) async throws -> T) async throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("registry-storage-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    return try await body(root)
}

/// A `LayoutStorage` on the filesystem driver at a fresh temporary root, removed afterwards.
func withStorage<T>(commit: Bool = false, dedupe: Bool = true, _ body: (LayoutStorage) async throws -> T) async throws -> T {
    try await withTemporaryRoot { root in
        try await body(layoutStorage(root, commit: commit, dedupe: dedupe))
    }
}

/// A `LayoutStorage` on the filesystem driver at `root` (a new instance is a restart).
func layoutStorage(_ root: String, commit: Bool = false, dedupe: Bool = true) throws -> LayoutStorage {
    LayoutStorage(driver: try FileSystemDriver(rootDirectory: root, synchronous: commit), dedupe: dedupe)
}

extension LayoutStorage {
    /// The local root of the filesystem driver.
    var rootDirectory: String { (driver as? FileSystemDriver)?.rootDirectory ?? "" }
}

/// The chunks as a finished stream of buffers, the shape a request body has.
func byteStream(_ chunks: [[UInt8]]) -> AsyncStream<ByteBuffer> {
    AsyncStream { continuation in
        for chunk in chunks { continuation.yield(ByteBuffer(bytes: chunk)) }
        continuation.finish()
    }
}

/// `content` cut into pieces of at most `size` bytes.
func split(_ content: [UInt8], every size: Int) -> [[UInt8]] {
    stride(from: 0, to: content.count, by: size).map { Array(content[$0..<min(content.count, $0 + size)]) }
}

/// Deterministic pseudo-random test content.
func sampleBytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    var state = UInt32(seed) &* 2_654_435_761 | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 17; state ^= state << 5
        return UInt8(truncatingIfNeeded: state)
    }
}

/// Uploads `content` to `repository` in one or more PATCH-like appends and finishes it.
@discardableResult
func pushBlob(_ storage: LayoutStorage, _ repository: RepositoryName, _ content: [UInt8], chunkSize: Int = 1000,
              algorithm: Digest.Algorithm = .sha256) async throws -> Digest {
    let id = try await storage.startUpload(repository)
    var offset: Int64 = 0
    for chunk in split(content, every: chunkSize) {
        offset = try await storage.appendUpload(repository, id, expectedOffset: offset, body: byteStream([chunk]))
    }
    let digest = Digest.of(content, algorithm: algorithm)
    let size = try await storage.finishUpload(repository, id, digest: digest)
    #expect(size == Int64(content.count))
    return digest
}

/// The bytes of a blob as stored in `repository`, read from its file in the layout.
func storedContent(_ storage: LayoutStorage, _ repository: RepositoryName, _ digest: Digest) -> [UInt8]? {
    FileManager.default.contents(atPath: "\(storage.rootDirectory)/\(repository)/blobs/\(digest.algorithm.rawValue)/\(digest.hex)").map { [UInt8]($0) }
}

/// Regular files anywhere under `directory`.
func regularFiles(under directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    var files: [String] = []
    while let relative = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(relative)
        }
    }
    return files.sorted()
}

/// Asserts that `body` throws a `RegistryError` with `code`, and returns it.
@discardableResult
func expectRegistryError(_ code: RegistryErrorCode, sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () async throws -> Void) async -> RegistryError? {
    do {
        try await body()
        Issue.record("expected \(code.rawValue), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as RegistryError {
        #expect(error.code == code, sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
