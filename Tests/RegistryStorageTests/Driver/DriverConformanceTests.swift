import Foundation
import RegistryStorage
import RegistryStorageConformance
import Testing

/// Removes the temporary roots made for the filesystem driver runs when the process ends.
private let temporaryParent = FileManager.default.temporaryDirectory.appendingPathComponent("driver-conformance-\(UUID().uuidString)").path

@Suite("StorageDriver conformance")
struct DriverConformanceTests {
    @Test("the in-memory driver passes", arguments: StorageDriverConformance.checks)
    func inMemory(_ check: StorageDriverConformance.Check) async throws {
        try await check.run(InMemoryDriver())
    }

    @Test("the filesystem driver passes", arguments: StorageDriverConformance.checks)
    func fileSystem(_ check: StorageDriverConformance.Check) async throws {
        let root = temporaryParent + "/" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await check.run(FileSystemDriver(rootDirectory: root))
    }

    @Test("the filesystem driver passes with synchronous commits", arguments: StorageDriverConformance.checks.prefix(3))
    func fileSystemSynchronous(_ check: StorageDriverConformance.Check) async throws {
        let root = temporaryParent + "/" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await check.run(FileSystemDriver(rootDirectory: root, synchronous: true))
    }
}
