import Foundation
import Logging
import NIOCore
import RegistryCore
import RegistryHTTP
import RegistryStorage
import Testing
@testable import RegistryApp

/// The background scrub service: problems are logged, audited and counted, and nothing is changed.
struct HygieneServiceTests {
    @Test("The scrub service audits a corrupted blob (event scrub-problem) and counts it in zot_authz_scrub_problems_total")
    func scrubServiceReports() async throws {
        let directory = try TemporaryDirectory()
        let storage = LayoutStorage(driver: try FileSystemDriver(rootDirectory: directory.path + "/root", synchronous: false))
        let repository = RepositoryName("team/app")!
        let content = Array("layer bytes".utf8)
        let id = try await storage.startUpload(repository)
        let body = AsyncStream<ByteBuffer> { continuation in
            continuation.yield(ByteBuffer(bytes: content))
            continuation.finish()
        }
        _ = try await storage.appendUpload(repository, id, expectedOffset: nil, body: body)
        let digest = Digest.of(content)
        _ = try await storage.finishUpload(repository, id, digest: digest)
        let file = directory.path + "/root/team/app/blobs/sha256/" + digest.hex
        try Data("tampered!!!".utf8).write(to: URL(fileURLWithPath: file))

        let audit = try AuditTrail(path: directory.path + "/audit.log")
        let metrics = RegistryMetrics()
        let task = RegistryService.scrubbing([("storage", storage)], every: 0.1, metrics: metrics, audit: audit,
                                             logger: Logger(label: "scrub-test"))
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        var lines: [String] = []
        while ContinuousClock.now < deadline {
            lines = ((try? String(contentsOfFile: directory.path + "/audit.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            if lines.contains(where: { $0.contains("scrub-problem") }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let line = try #require(lines.first { $0.contains("scrub-problem") })
        #expect(line.contains("\"repository\":\"team/app\"") && line.contains(digest.hex) && line.contains("corrupt"))
        #expect(metrics.exposition().contains("zot_authz_scrub_problems_total"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data("tampered!!!".utf8), "never repaired")
    }
}
