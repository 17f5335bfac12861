import Foundation
import RegistryCore
import RegistryPolicy
import RegistryRetention
import RegistryStorage

/// Benchmarks of registry hygiene (not tests: nothing is asserted). Prints `key=value` lines.
///
/// - `hygiene-bench retention [REPOS] [TAGS]`: the NixOS-style policy over synthetic metadata (default 10,000 × 50),
///   also at a quarter and half the repositories to show linearity.
/// - `hygiene-bench gc [BLOBS]`: a GC pass over BLOBS blob files (default 100,000; half unreferenced and old) on the
///   filesystem driver in a temporary directory.
/// - `hygiene-bench record [EVENTS]`: the cost of recording a pull on the request path (single task and 4 tasks) and of
///   flushing distinct events to an in-memory store.
@main
enum HygieneBenchmark {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let numbers = arguments.dropFirst().compactMap { Int($0) }
        switch arguments.first ?? "retention" {
        case "retention": retention(repositories: numbers.first ?? 10_000, tags: numbers.dropFirst().first ?? 50)
        case "gc": try await garbageCollection(blobs: numbers.first ?? 100_000)
        case "record": try await recording(events: numbers.first ?? 1_000_000)
        default:
            FileHandle.standardError.write(Data("usage: hygiene-bench retention|gc|record [N…]\n".utf8))
            exit(2)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: retention

    static func retention(repositories: Int, tags: Int) {
        let settings = RetentionSettings(delay: 86400, policies: [RetentionPolicy(
            repositories: [try! GlobPattern("**")], deleteReferrers: true, deleteUntagged: true, keepTags: [
                KeepTagsRule(patterns: [try! TagPattern("latest")]),
                KeepTagsRule(criteria: KeepCriteria(pushedWithin: 168 * 3600, mostRecentlyPushedCount: 10)),
                KeepTagsRule(patterns: [try! TagPattern("v.*")], criteria: KeepCriteria(pulledWithin: 720 * 3600)),
            ])])
        let now = Date()
        for fraction in [4, 2, 1] {
            let count = repositories / fraction
            // As GC does: one repository at a time (building its synthetic snapshot is not timed).
            let clock = ContinuousClock()
            var elapsedDuration = Duration.zero
            var deleted = 0, decisions = 0
            for index in 0..<count {
                let repository = snapshot(index: index, tags: tags, now: now)
                let started = clock.now
                let outcome = RetentionEvaluator.evaluate(repository, settings: settings, now: now)
                elapsedDuration += clock.now - started
                decisions += outcome.decisions.count
                deleted += outcome.decisions.filter(\.deleted).count
            }
            let elapsed = seconds(elapsedDuration)
            print("retention repositories=\(count) tags=\(count * tags) decisions=\(decisions) deleted=\(deleted) seconds=\(String(format: "%.3f", elapsed)) us_per_tag=\(String(format: "%.2f", elapsed * 1e6 / Double(count * tags)))")
        }
    }

    static func snapshot(index: Int, tags: Int, now: Date) -> RepositorySnapshot {
        var entries: [ListedManifest] = []
        var facts: [Digest: ManifestFacts] = [:]
        var activity = RepositoryActivity()
        for tagIndex in 0..<tags {
            let tag = tagIndex == 0 ? "latest" : (tagIndex % 5 == 0 ? "v1.\(tagIndex)" : "build-\(index)-\(tagIndex)")
            let digest = Digest.of(Array("r\(index)t\(tagIndex)".utf8))
            entries.append(ListedManifest(digest: digest, mediaType: MediaType.ociManifest, tag: tag))
            facts[digest] = ManifestFacts(storedAt: now.addingTimeInterval(-Double(tagIndex) * 86400))
            activity.tags[tag] = Activity(pushedAt: now.addingTimeInterval(-Double(tagIndex) * 86400), pushedBy: "ci",
                                          pulledAt: tagIndex % 3 == 0 ? now.addingTimeInterval(-Double(tagIndex) * 3600) : nil)
            activity.tagDigests[tag] = digest
        }
        return RepositorySnapshot(name: "team-\(index % 100)/app-\(index)", entries: entries, manifests: facts, activity: activity)
    }

    // MARK: GC

    static func garbageCollection(blobs: Int) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hygiene-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let perRepository = 1000
        let repositories = max(1, blobs / perRepository)
        let old = Date().addingTimeInterval(-7200)
        let setupClock = ContinuousClock(), setupStart = setupClock.now
        for index in 0..<repositories {
            let directory = "\(root)/bench/r\(index)"
            try FileManager.default.createDirectory(atPath: "\(directory)/blobs/sha256", withIntermediateDirectories: true)
            try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: "\(directory)/oci-layout"))
            var layers: [String] = []
            for blob in 0..<(perRepository - 2) {
                let content = Array("repository \(index) blob \(blob)".utf8)
                let digest = Digest.of(content)
                let path = "\(directory)/blobs/sha256/\(digest.hex)"
                try Data(content).write(to: URL(fileURLWithPath: path))
                try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
                if blob % 2 == 0 { layers.append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"\(digest)\",\"size\":\(content.count)}") }
            }
            let config = Array("{\"repository\":\(index)}".utf8)
            let configDigest = Digest.of(config)
            try Data(config).write(to: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(configDigest.hex)"))
            let manifest = Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"\(configDigest)\",\"size\":\(config.count)},"
                + "\"layers\":[\(layers.joined(separator: ","))]}").utf8)
            let manifestDigest = Digest.of(manifest)
            try Data(manifest).write(to: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(manifestDigest.hex)"))
            let index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"\(MediaType.ociManifest)\",\"digest\":\"\(manifestDigest)\",\"size\":\(manifest.count),\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}"
            try Data(index.utf8).write(to: URL(fileURLWithPath: "\(directory)/index.json"))
        }
        print("gc setup repositories=\(repositories) blobs=\(repositories * perRepository) seconds=\(String(format: "%.1f", seconds(setupClock.now - setupStart)))")
        let storage = LayoutStorage(driver: try FileSystemDriver(rootDirectory: root, synchronous: false))
        let collector = GarbageCollector(storage: storage, delay: 3600)
        let clock = ContinuousClock(), started = clock.now
        let report = await collector.collect()
        let elapsed = seconds(clock.now - started)
        print("gc blobs=\(repositories * perRepository) removed=\(report.blobsRemoved) bytes=\(report.bytesFreed) seconds=\(String(format: "%.2f", elapsed))")
    }

    // MARK: recording

    static func recording(events: Int) async throws {
        let digests = (0..<1000).map { Digest.of(Array("m\($0)".utf8)) }
        let recorder = ActivityRecorder(store: InMemoryActivityStore(), flushThreshold: .max)
        let clock = ContinuousClock()
        var started = clock.now
        for index in 0..<events {
            recorder.recordPull(repository: "team/app", digest: digests[index % 1000], tag: "v\(index % 1000)")
        }
        let single = seconds(clock.now - started)
        print("record pulls=\(events) tasks=1 ns_per_pull=\(String(format: "%.0f", single * 1e9 / Double(events)))")
        started = clock.now
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<(events / 4) {
                        recorder.recordPull(repository: "team/app\(worker)", digest: digests[index % 1000], tag: "v\(index % 1000)")
                    }
                }
            }
        }
        let contended = seconds(clock.now - started)
        print("record pulls=\(events) tasks=4 ns_per_pull=\(String(format: "%.0f", contended * 1e9 / Double(events)))")
        let pending = recorder.pendingCount
        started = clock.now
        try await recorder.flush()
        let flush = seconds(clock.now - started)
        print("record flush_events=\(pending) ns_per_event=\(String(format: "%.0f", flush * 1e9 / Double(max(1, pending))))")
    }
}
