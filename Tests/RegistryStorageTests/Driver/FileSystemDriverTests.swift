import Foundation
import NIOCore
import RegistryStorage
import Testing

@Suite("Filesystem driver specifics")
struct FileSystemDriverTests {
    func withDriver<T>(_ body: (FileSystemDriver, String) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fs-driver-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        return try await body(try FileSystemDriver(rootDirectory: root), root)
    }

    func inode(_ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }

    @Test("paths map below the root directory and link shares one inode")
    func hardLinkSharesInode() async throws {
        try await withDriver { driver, root in
            let source = try StoragePath("/a/blobs/sha256/abc"), destination = try StoragePath("/b/blobs/sha256/abc")
            try await driver.putContent(source, Array("blob".utf8))
            try await driver.link(source, to: destination)
            #expect(FileManager.default.fileExists(atPath: root + "/a/blobs/sha256/abc"))
            #expect(try inode(root + "/a/blobs/sha256/abc") == inode(root + "/b/blobs/sha256/abc"))
            #expect(driver.localFile(destination) == root + "/b/blobs/sha256/abc")
        }
    }

    @Test("a closed writer's content survives a new driver on the same root (a restart)")
    func resumeAfterRestart() async throws {
        try await withDriver { driver, root in
            let path = try StoragePath("/r/.uploads/0123")
            let writer = try await driver.writer(path, append: false)
            try await writer.write(ByteBuffer(bytes: [1, 2, 3]))
            try await writer.close()
            let restarted = try FileSystemDriver(rootDirectory: root)
            let resumed = try await restarted.writer(path, append: true)
            #expect(resumed.size == 3)
            try await resumed.write(ByteBuffer(bytes: [4]))
            try await resumed.commit()
            #expect(try await restarted.getContent(path, maximumSize: 10) == [1, 2, 3, 4])
            #expect(try await restarted.list(StoragePath("/r/.uploads")) == [path])
        }
    }

    @Test("putContent leaves no temporary files behind")
    func noTemporaryLeftovers() async throws {
        try await withDriver { driver, root in
            for index in 0..<5 { try await driver.putContent(StoragePath("/r/index.json"), Array("\(index)".utf8)) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/r") == ["index.json"])
        }
    }
}
