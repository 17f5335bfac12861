import Foundation
import RegistryMetadata
import RegistryStorage
import Testing

/// One contract for every ``RepositoryIndexStore``: the in-memory one and the metadata database's.
@Suite("RepositoryIndexStore contract (in memory and SQLite)")
struct RepositoryIndexStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case inMemory, sqlite
        var testDescription: String { rawValue }
    }

    static func makeStore(_ kind: Kind) throws -> any RepositoryIndexStore {
        switch kind {
        case .inMemory: InMemoryRepositoryIndexStore()
        case .sqlite: SQLiteRepositoryIndexStore(store: try MetadataStore.inMemory(), scope: "storage")
        }
    }

    @Test("Names page in byte order after a cursor, each once, and removals take effect", arguments: Kind.allCases)
    func pages(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        #expect(try await store.isBuilt() == false)
        try await store.add(["team/b", "team/a", "Z", "team/a", "team-x"])
        try await store.add((0..<100).map { "bulk/r\(String(format: "%03d", $0))" })
        try await store.markBuilt()
        #expect(try await store.isBuilt())
        #expect(try await store.names(after: nil, limit: 3) == ["Z", "bulk/r000", "bulk/r001"])
        #expect(try await store.names(after: "bulk/r099", limit: 10) == ["team-x", "team/a", "team/b"])
        #expect(try await store.names(after: "team/a", limit: 10) == ["team/b"])
        #expect(try await store.names(after: "zzz", limit: 10).isEmpty)
        try await store.remove(["team/a", "never-there"])
        #expect(try await store.names(after: "team-x", limit: 10) == ["team/b"])
        #expect(try await store.names(after: nil, limit: 0).isEmpty)
    }
}
