import Foundation
import RegistryCore
import RegistryStorage
import Testing

@Suite("Repository index: _catalog pages without walking the layout")
struct CatalogIndexTests {
    @Test("Pages come from the index in byte order, after `last`, and a repository created later is in the next listing")
    func pagesAfterLast() async throws {
        let storage = LayoutStorage(driver: InMemoryDriver())
        for name in ["b", "a/z", "a", "c/d/e"] { try await pushBlob(storage, repo(name), [1]) }
        #expect(try await storage.catalogPage(after: nil, limit: 10) == ["a", "a/z", "b", "c/d/e"])
        #expect(try await storage.catalogPage(after: "a/z", limit: 1) == ["b"])
        #expect(try await storage.catalogPage(after: "c/d/e", limit: 5).isEmpty)
        try await pushBlob(storage, repo("aa"), [2])
        #expect(try await storage.catalogPage(after: "a", limit: 2) == ["a/z", "aa"])
    }

    @Test("An unbuilt index is built by one scan of the layout a store already holds")
    func builtFromExistingLayout() async throws {
        let driver = InMemoryDriver()
        try await pushBlob(LayoutStorage(driver: driver), repo("old/one"), [1])
        let index = InMemoryRepositoryIndexStore()
        let restarted = LayoutStorage(driver: driver, repositoryIndex: index)
        #expect(try await index.isBuilt() == false)
        #expect(try await restarted.catalogPage(after: nil, limit: 5) == ["old/one"])
        #expect(try await index.isBuilt())
    }

    @Test("Reconciliation adds repositories written behind the index's back and drops vanished ones, keeping live ones")
    func reconciliation() async throws {
        let driver = InMemoryDriver()
        let index = InMemoryRepositoryIndexStore()
        let storage = LayoutStorage(driver: driver, repositoryIndex: index)
        try await pushBlob(storage, repo("kept"), [1])
        _ = try await storage.catalogPage(after: nil, limit: 1)
        try await index.add(["vanished"])
        try await pushBlob(LayoutStorage(driver: driver), repo("external"), [2])  // another writer, same layout
        #expect(try await storage.catalogPage(after: nil, limit: 10) == ["kept", "vanished"])
        try await storage.reconcileRepositoryIndex()
        #expect(try await storage.catalogPage(after: nil, limit: 10) == ["external", "kept"])
    }

    @Test("Routed stores merge their pages, and a name stored under another route's store is not listed")
    func routedPages() async throws {
        let main = LayoutStorage(driver: InMemoryDriver()), sub = LayoutStorage(driver: InMemoryDriver())
        let routed = RoutedStorage(defaultStore: main, routes: ["/a": sub])
        for name in ["a/x", "a/y", "a/z"] { try await pushBlob(sub, repo(name), [1]) }
        for name in ["b", "c", "a/hidden"] { try await pushBlob(main, repo(name), [1]) }
        #expect(try await routed.catalogPage(after: nil, limit: 2) == ["a/x", "a/y"])
        #expect(try await routed.catalogPage(after: "a/y", limit: 2) == ["a/z", "b"])
        #expect(try await routed.catalogPage(after: "b", limit: 10) == ["c"])
        #expect(try await routed.catalogPage(after: nil, limit: 10) == (try await routed.catalog()))
    }
}

@Suite("Repository index under concurrent pushes")
struct CatalogIndexRaceTests {
    @Test("Repositories created while the index is being reconciled are all listed afterwards")
    func reconcileDuringPushes() async throws {
        let storage = LayoutStorage(driver: InMemoryDriver())
        let names = (0..<40).map { "race/r\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storage.reconcileRepositoryIndex() }
            for name in names { group.addTask { try await pushBlob(storage, repo(name), [1]) } }
            group.addTask { try await storage.reconcileRepositoryIndex() }
            try await group.waitForAll()
        }
        #expect(try await storage.catalogPage(after: nil, limit: 100) == names.sorted())
    }
}
