import Foundation
import RegistryCore
import RegistryMetadata
import RegistryStorage
import Testing

/// One contract for every ``DedupeIndexStore``: the in-memory one and the metadata database's.
@Suite("DedupeIndexStore contract (in memory and SQLite)")
struct DedupeIndexStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case inMemory, sqlite
        var testDescription: String { rawValue }
    }

    static func makeStore(_ kind: Kind, scope: String = "storage") throws -> any DedupeIndexStore {
        switch kind {
        case .inMemory: InMemoryDedupeIndexStore()
        case .sqlite: SQLiteDedupeIndexStore(store: try MetadataStore.inMemory(), scope: scope)
        }
    }

    static let first = Digest("sha256:" + String(repeating: "a", count: 64))!
    static let second = Digest("sha256:" + String(repeating: "b", count: 64))!

    static func path(_ repository: String, _ digest: Digest) throws -> StoragePath {
        try StoragePath("/\(repository)/blobs/sha256/\(digest.hex)")
    }

    @Test("A new index is not built; building adds the scan to entries pushed meanwhile and marks it built", arguments: Kind.allCases)
    func buildAdds(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        #expect(try await store.isBuilt() == false)
        try await store.add(Self.first, Self.path("pushed-during-scan", Self.first))
        try await store.markBuilt(adding: [(Self.first, try Self.path("b", Self.first)), (Self.first, try Self.path("a", Self.first)),
                                           (Self.second, try Self.path("a", Self.second))])
        #expect(try await store.isBuilt())
        #expect(try await store.paths(for: Self.first) == [try Self.path("a", Self.first), try Self.path("b", Self.first),
                                                             try Self.path("pushed-during-scan", Self.first)])
        #expect(try await store.paths(for: Self.second) == [try Self.path("a", Self.second)])
    }

    @Test("Added paths are found, sorted and once; removed ones are gone and other digests keep theirs", arguments: Kind.allCases)
    func addAndRemove(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.markBuilt(adding: [])
        try await store.add(Self.first, Self.path("z", Self.first))
        try await store.add(Self.first, Self.path("c", Self.first))
        try await store.add(Self.first, Self.path("c", Self.first))
        try await store.add(Self.second, Self.path("c", Self.second))
        #expect(try await store.paths(for: Self.first) == [try Self.path("c", Self.first), try Self.path("z", Self.first)])
        try await store.remove(Self.first, Self.path("c", Self.first))
        try await store.remove(Self.first, Self.path("never-added", Self.first))
        #expect(try await store.paths(for: Self.first) == [try Self.path("z", Self.first)])
        #expect(try await store.paths(for: Self.second) == [try Self.path("c", Self.second)])
    }

    @Test("Two stores in one database keep separate indexes")
    func scopesAreSeparate() async throws {
        let database = try MetadataStore.inMemory()
        let main = SQLiteDedupeIndexStore(store: database, scope: "storage")
        let sub = SQLiteDedupeIndexStore(store: database, scope: "storage.subPaths./a")
        try await main.markBuilt(adding: [(Self.first, try Self.path("x", Self.first))])
        #expect(try await sub.isBuilt() == false)
        try await sub.markBuilt(adding: [])
        #expect(try await sub.paths(for: Self.first).isEmpty)
        #expect(try await main.paths(for: Self.first) == [try Self.path("x", Self.first)])
    }

    @Test("The SQLite index survives reopening the database, built, with its entries")
    func survivesRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dedupe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("zot-authz.db").path
        do {
            let index = SQLiteDedupeIndexStore(store: try MetadataStore(path: file), scope: "storage")
            try await index.markBuilt(adding: [])
            try await index.add(Self.first, Self.path("kept", Self.first))
        }
        let reopened = SQLiteDedupeIndexStore(store: try MetadataStore(path: file), scope: "storage")
        #expect(try await reopened.isBuilt())
        #expect(try await reopened.paths(for: Self.first) == [try Self.path("kept", Self.first)])
    }
}
