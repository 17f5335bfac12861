import Foundation
import RegistryCore
import RegistryMetadata
import RegistryRetention
import Testing

/// One contract for every ``ActivityStore``: the in-memory one and the metadata database's.
@Suite("ActivityStore contract (in memory and SQLite)")
struct ActivityStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case inMemory, sqlite
        var testDescription: String { rawValue }
    }

    static func makeStore(_ kind: Kind) throws -> any ActivityStore {
        switch kind {
        case .inMemory: InMemoryActivityStore()
        case .sqlite: SQLiteActivityStore(store: try MetadataStore.inMemory())
        }
    }

    static let first = Digest.of(Array("one".utf8)), second = Digest.of(Array("two".utf8))
    static func at(_ seconds: Double) -> Date { Date(timeIntervalSinceReferenceDate: 800_000_000 + seconds) }

    @Test("A manifest keeps its first push and pusher and its latest pull; a tag's push time moves only with its manifest",
          arguments: Kind.allCases)
    func mergeRules(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.record([
            ActivityEvent(repository: "app", digest: Self.first, tag: "v1", kind: .push(user: "alice"), time: Self.at(0)),
            ActivityEvent(repository: "app", digest: Self.first, tag: "v1", kind: .push(user: "bob"), time: Self.at(10)),
            ActivityEvent(repository: "app", digest: Self.first, tag: "v1", kind: .pull, time: Self.at(30)),
            ActivityEvent(repository: "app", digest: Self.first, tag: nil, kind: .pull, time: Self.at(20)),
            ActivityEvent(repository: "app", digest: Self.second, tag: "latest", kind: .push(user: nil), time: Self.at(40)),
            ActivityEvent(repository: "app", digest: Self.first, tag: "latest", kind: .push(user: "carol"), time: Self.at(50)),
            ActivityEvent(repository: "other", digest: Self.second, tag: "x", kind: .push(user: "dave"), time: Self.at(60)),
        ])
        let activity = try await store.activity(of: "app")
        #expect(activity.manifests[Self.first] == Activity(pushedAt: Self.at(0), pushedBy: "alice", pulledAt: Self.at(30)))
        #expect(activity.tags["v1"] == Activity(pushedAt: Self.at(0), pushedBy: "alice", pulledAt: Self.at(30)))
        #expect(activity.tags["latest"] == Activity(pushedAt: Self.at(50), pushedBy: "carol", pulledAt: nil))
        #expect(activity.tagDigests["latest"] == Self.first)
        #expect(activity.manifests[Self.second]?.pushedAt == Self.at(40))
        #expect(activity.forTag("latest", digest: Self.first).pushedAt == Self.at(50))
        #expect(try await store.activity(of: "other").tags.keys.sorted() == ["x"])
        try await store.forget(repository: "app", tags: ["v1"], digests: [Self.second])
        let after = try await store.activity(of: "app")
        #expect(after.tags["v1"] == nil && after.manifests[Self.second] == nil && after.manifests[Self.first] != nil)
    }

    @Test("A delete forgets the tag, or by digest the manifest and its tags, so a later push starts afresh", arguments: Kind.allCases)
    func deletes(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.record([
            ActivityEvent(repository: "app", digest: Self.first, tag: "v1", kind: .push(user: "alice"), time: Self.at(0)),
            ActivityEvent(repository: "app", digest: Self.first, tag: "also", kind: .push(user: "alice"), time: Self.at(1)),
            ActivityEvent(repository: "app", digest: Self.second, tag: "v2", kind: .push(user: "bob"), time: Self.at(2)),
            ActivityEvent(repository: "app", digest: Self.second, tag: "v2", kind: .delete, time: Self.at(3)),
            ActivityEvent(repository: "app", digest: Self.first, tag: nil, kind: .delete, time: Self.at(4)),
            ActivityEvent(repository: "app", digest: Self.first, tag: "v1", kind: .push(user: "carol"), time: Self.at(5)),
        ])
        let activity = try await store.activity(of: "app")
        #expect(activity.tags["v2"] == nil && activity.tags["also"] == nil)
        #expect(activity.manifests[Self.second]?.pushedBy == "bob")
        #expect(activity.tags["v1"] == Activity(pushedAt: Self.at(5), pushedBy: "carol", pulledAt: nil))
        #expect(activity.manifests[Self.first] == Activity(pushedAt: Self.at(5), pushedBy: "carol", pulledAt: nil))
    }

    @Test("The recorder buffers pulls off the request path, coalesces them, and a flush makes them durable", arguments: Kind.allCases)
    func recorderFlushes(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        let recorder = ActivityRecorder(store: store)
        recorder.recordPush(repository: "app", digest: Self.first, tag: "v1", user: "alice", at: Self.at(0))
        for second in 1...500 { recorder.recordPull(repository: "app", digest: Self.first, tag: "v1", at: Self.at(Double(second))) }
        #expect(recorder.pendingCount == 2)
        #expect(try await store.activity(of: "app").manifests.isEmpty)
        try await recorder.flush()
        #expect(recorder.pendingCount == 0)
        #expect(try await store.activity(of: "app").tags["v1"] == Activity(pushedAt: Self.at(0), pushedBy: "alice", pulledAt: Self.at(500)))
    }

    @Test("Activity written to a database file survives reopening it")
    func survivesRestart() async throws {
        let path = NSTemporaryDirectory() + "activity-\(UUID().uuidString)/meta.db"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        do {
            let recorder = ActivityRecorder(store: SQLiteActivityStore(store: try MetadataStore(path: path)))
            recorder.recordPush(repository: "app", digest: Self.first, tag: "v1", user: "alice", at: Self.at(0))
            try await recorder.flush()
        }
        let reopened = SQLiteActivityStore(store: try MetadataStore(path: path))
        #expect(try await reopened.activity(of: "app").tags["v1"]?.pushedBy == "alice")
    }
}
