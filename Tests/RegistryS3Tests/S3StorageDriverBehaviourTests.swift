import Foundation
import NIOCore
import RegistryStorage
import Testing
@testable import RegistryS3

/// The StorageDriver rules checked on S3StorageDriver against moto_server (beside the shared conformance suite).
@Suite("S3StorageDriver behaviour against moto_server",
       .enabled(if: MotoServer.isInstalled, "moto_server is not installed: pip install 'moto[server]' boto3 (scripts/install-deps.sh does)"))
struct S3StorageDriverBehaviourTests {
    func path(_ text: String) throws -> StoragePath { try StoragePath(text) }

    func collect(_ stream: StorageReadStream) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in stream { bytes.append(contentsOf: chunk.readableBytesView) }
        return bytes
    }

    @Test("Content round-trips, getContent enforces its limit, stat tells files from prefixes")
    func contentAndStat() async throws {
        let driver = try await S3StorageDriverTests.freshDriver()
        let file = try path("/a/b/index.json")
        try await driver.putContent(file, Array("hello".utf8))
        #expect(try await driver.getContent(file, maximumSize: 5) == Array("hello".utf8))
        await #expect(throws: StorageDriverError.tooLarge(file, limit: 4)) { try await driver.getContent(file, maximumSize: 4) }
        let info = try await driver.stat(file)
        #expect(info.size == 5 && !info.isDirectory)
        #expect(try await driver.stat(path("/a")).isDirectory)
        await #expect(throws: StorageDriverError.pathNotFound(try path("/a/c"))) { try await driver.stat(path("/a/c")) }
        await #expect(throws: StorageDriverError.pathNotFound(try path("/none"))) { try await driver.getContent(path("/none"), maximumSize: 9) }
    }

    @Test("Ranged readers return the requested slice; offset at the end is empty, past it an error")
    func rangedReaders() async throws {
        let driver = try await S3StorageDriverTests.freshDriver()
        let file = try path("/blob")
        try await driver.putContent(file, PatternBytes.bytes(0..<1000))
        #expect(try await collect(driver.reader(file, offset: 100, length: 50)) == PatternBytes.bytes(100..<150))
        #expect(try await collect(driver.reader(file, offset: 990, length: 100)) == PatternBytes.bytes(990..<1000))
        #expect(try await collect(driver.reader(file, offset: 900, length: nil)) == PatternBytes.bytes(900..<1000))
        #expect(try await collect(driver.reader(file, offset: 1000, length: nil)) == [])
        await #expect(throws: StorageDriverError.invalidOffset(file, 1001)) { try await driver.reader(file, offset: 1001, length: nil) }
        await #expect(throws: StorageDriverError.invalidOffset(file, -1)) { try await driver.reader(file, offset: -1, length: nil) }
        await #expect(throws: StorageDriverError.pathNotFound(try path("/nope"))) { try await driver.reader(path("/nope"), offset: 0, length: nil) }
        let empty = try path("/empty")
        try await driver.putContent(empty, [])
        #expect(try await collect(driver.reader(empty, offset: 0, length: nil)) == [])
    }

    @Test("Writer content is invisible until commit; close keeps it for append; cancel drops it")
    func writerLifecycle() async throws {
        let driver = try await S3StorageDriverTests.freshDriver()
        let upload = try path("/repo/.uploads/u")
        let writer = try await driver.writer(upload, append: false)
        try await writer.write(ByteBuffer(bytes: PatternBytes.bytes(0..<3000)))
        try await writer.close()
        #expect(!(try await driver.exists(upload)))
        await #expect(throws: StorageDriverError.writerFinished(upload)) { try await writer.write(ByteBuffer(bytes: [1])) }
        let resumed = try await driver.writer(upload, append: true)
        #expect(resumed.size == 3000)
        try await resumed.write(ByteBuffer(bytes: PatternBytes.bytes(3000..<4000)))
        try await resumed.commit()
        #expect(try await driver.getContent(upload, maximumSize: 5000) == PatternBytes.bytes(0..<4000))
        await #expect(throws: StorageDriverError.pathNotFound(upload)) { try await driver.writer(upload, append: true) }
        #expect(try await driver.list(path("/repo")) == [try path("/repo/.uploads")])

        let dropped = try path("/repo/.uploads/dropped")
        let cancelled = try await driver.writer(dropped, append: false)
        for try await chunk in PatternBytes(offset: 0, length: 6 * 1024 * 1024) { try await cancelled.write(chunk) }
        try await cancelled.cancel()
        #expect(!(try await driver.exists(dropped)))
        #expect(try await driver.client.listMultipartUploads(prefix: driver.keys.key(dropped)).isEmpty)
    }

    @Test("A fresh writer discards what a closed writer of the same path kept")
    func freshWriterDiscards() async throws {
        let driver = try await S3StorageDriverTests.freshDriver()
        let upload = try path("/u")
        let first = try await driver.writer(upload, append: false)
        for try await chunk in PatternBytes(offset: 0, length: 5 * 1024 * 1024 + 10) { try await first.write(chunk) }
        try await first.close()
        let second = try await driver.writer(upload, append: false)
        #expect(second.size == 0)
        try await second.write(ByteBuffer(bytes: [7]))
        try await second.commit()
        #expect(try await driver.getContent(upload, maximumSize: 10) == [7])
        #expect(try await driver.client.listMultipartUploads(prefix: driver.keys.key(upload)).isEmpty)
    }

    @Test("list shows sorted children, move and link copy server-side, delete removes a whole tree")
    func namespace() async throws {
        let driver = try await S3StorageDriverTests.freshDriver()
        for name in ["/r/b/x", "/r/a", "/r/c/d/e", "/top"] { try await driver.putContent(path(name), [1]) }
        #expect(try await driver.list(.root) == [try path("/r"), try path("/top")])
        #expect(try await driver.list(path("/r")) == [try path("/r/a"), try path("/r/b"), try path("/r/c")])
        await #expect(throws: StorageDriverError.pathNotFound(try path("/top"))) { try await driver.list(path("/top")) }
        try await driver.move(path("/r/a"), to: path("/s/moved"))
        #expect(!(try await driver.exists(path("/r/a"))))
        try await driver.link(path("/s/moved"), to: path("/s/linked"))
        try await driver.delete(path("/s/moved"))
        #expect(try await driver.getContent(path("/s/linked"), maximumSize: 1) == [1])
        await #expect(throws: StorageDriverError.pathNotFound(try path("/x"))) { try await driver.move(path("/x"), to: path("/y")) }
        try await driver.delete(path("/r"))
        #expect(try await driver.list(.root) == [try path("/s"), try path("/top")])
        await #expect(throws: StorageDriverError.pathNotFound(try path("/r"))) { try await driver.delete(path("/r")) }
        await #expect(throws: StorageDriverError.self) { try await driver.delete(.root) }
    }
}
