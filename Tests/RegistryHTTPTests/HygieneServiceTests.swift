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

/// `extensions.lint` in the pipeline, and pull recording on GET.
struct LintPipelineTests {
    static let lint: RegistrySetup = {
        var setup = RegistrySetup()
        setup.configure = { options in options.linter = ManifestLinter(mandatoryAnnotations: ["org.opencontainers.image.vendor", "maintainer"]) }
        return setup
    }()

    @Test("A manifest without the mandatory annotations is 400 MANIFEST_INVALID naming them, and nothing is stored")
    func refusesBeforeStoring() async throws {
        try await withRegistry(Self.lint) { client in
            let image = TestImage(seed: "lint")
            try await client.pushBlob("team/app", image.config)
            try await client.pushBlob("team/app", image.layer)
            let refused = try await client.putManifest("team/app", "v1", image.manifest)
            #expect(refused.status == .badRequest)
            #expect(ociErrorCodes(refused) == ["MANIFEST_INVALID"])
            #expect(refused.text.contains("maintainer, org.opencontainers.image.vendor"), "\(refused.text)")
            let lookup = try await client.execute(uri: "/v2/team/app/manifests/\(image.manifestDigest)", method: .get)
            #expect(lookup.status == .notFound, "the manifest blob was not stored")
        }
    }

    @Test("Annotations on the manifest and labels of the image config together satisfy lint")
    func acceptsAnnotationsAndLabels() async throws {
        try await withRegistry(Self.lint) { client in
            let config = Array(#"{"architecture":"amd64","os":"linux","config":{"Labels":{"maintainer":"ops@example.com"}}}"#.utf8)
            let layer = Array("linted layer".utf8)
            try await client.pushBlob("team/app", config)
            try await client.pushBlob("team/app", layer)
            let manifest = Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"\(Digest.of(config))\",\"size\":\(config.count)},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"\(Digest.of(layer))\",\"size\":\(layer.count)}],"
                + "\"annotations\":{\"org.opencontainers.image.vendor\":\"acme\"}}").utf8)
            let accepted = try await client.putManifest("team/app", "v1", manifest)
            #expect(accepted.status == .created, "\(accepted.text)")
        }
    }
}
