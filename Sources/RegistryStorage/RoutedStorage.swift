import NIOCore
import RegistryCore

/// Zot's `storage.subPaths`: each repository is served by the store of its route, the first
/// segment of its name (`a/x/y` → `/a`; a name without `/` → the default store), and lives at
/// `<that store's root>/<full name>`. Every store has its own root, driver, dedupe and GC.
public final class RoutedStorage: Sendable {
    /// The store of `storage.rootDirectory` (route `/`).
    public let defaultStore: LayoutStorage
    /// Route (`/a`) → store.
    public let routes: [String: LayoutStorage]

    public init(defaultStore: LayoutStorage, routes: [String: LayoutStorage]) {
        self.defaultStore = defaultStore
        self.routes = routes
    }

    /// Zot's GetRoutePrefix: `/` plus the first segment of a nested name, `/` otherwise.
    public static func routePrefix(_ name: String) -> String {
        guard let slash = name.firstIndex(of: "/") else { return "/" }
        return "/" + name[name.startIndex..<slash]
    }

    /// The store serving `repository`.
    public func store(for repository: RepositoryName) -> LayoutStorage {
        routes[Self.routePrefix(repository.value)] ?? defaultStore
    }

    /// Every store, the default first, then by route.
    public var allStores: [LayoutStorage] { [defaultStore] + routes.sorted { $0.key < $1.key }.map(\.value) }

    /// Stored bytes of all stores.
    public func storedBytes() async -> Int64 {
        await storageUsage().totalBytes
    }

    /// The usage of all stores together.
    public func storageUsage() async -> StorageUsage {
        var usage = StorageUsage()
        for store in allStores { usage.add(await store.storageUsage()) }
        return usage
    }
}

extension RoutedStorage: BlobStore {
    public func blobSize(_ repository: RepositoryName, _ digest: Digest) async throws -> Int64? {
        try await store(for: repository).blobSize(repository, digest)
    }

    public func readBlob(_ repository: RepositoryName, _ digest: Digest, offset: Int64, length: Int64?) async throws -> StorageReadStream {
        try await store(for: repository).readBlob(repository, digest, offset: offset, length: length)
    }

    public func localBlobFile(_ repository: RepositoryName, _ digest: Digest) -> String? {
        store(for: repository).localBlobFile(repository, digest)
    }

    /// Within one store as usual; across stores the content is copied through the drivers.
    public func mountBlob(_ digest: Digest, into repository: RepositoryName, from source: RepositoryName) async throws -> Bool {
        let target = store(for: repository), origin = store(for: source)
        if target === origin { return try await target.mountBlob(digest, into: repository, from: source) }
        guard try await origin.blobSize(source, digest) != nil else { return false }
        let id = try await target.startUpload(repository)
        do {
            let stream = try await origin.readBlob(source, digest, offset: 0, length: nil)
            _ = try await target.appendUpload(repository, id, expectedOffset: 0, body: stream)
            _ = try await target.finishUpload(repository, id, digest: digest)
            return true
        } catch {
            try? await target.cancelUpload(repository, id)
            throw error
        }
    }

    public func deleteBlob(_ repository: RepositoryName, _ digest: Digest) async throws {
        try await store(for: repository).deleteBlob(repository, digest)
    }

    public func startUpload(_ repository: RepositoryName) async throws -> UploadID {
        try await store(for: repository).startUpload(repository)
    }

    public func uploadOffset(_ repository: RepositoryName, _ id: UploadID) async throws -> Int64 {
        try await store(for: repository).uploadOffset(repository, id)
    }

    public func appendUpload<Body: AsyncSequence & Sendable>(_ repository: RepositoryName, _ id: UploadID, expectedOffset: Int64?, body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        try await store(for: repository).appendUpload(repository, id, expectedOffset: expectedOffset, body: body)
    }

    public func finishUpload(_ repository: RepositoryName, _ id: UploadID, digest: Digest) async throws -> Int64 {
        try await store(for: repository).finishUpload(repository, id, digest: digest)
    }

    public func cancelUpload(_ repository: RepositoryName, _ id: UploadID) async throws {
        try await store(for: repository).cancelUpload(repository, id)
    }
}

extension RoutedStorage: ManifestStore {
    public func resolveTag(_ repository: RepositoryName, _ tag: String) async throws -> Digest? {
        try await store(for: repository).resolveTag(repository, tag)
    }

    public func putManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest, tagMustBeNew: Bool) async throws -> Digest {
        try await store(for: repository).putManifest(repository, reference: reference, body: body, manifest: manifest, tagMustBeNew: tagMustBeNew)
    }

    public func putMirroredManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest) async throws -> Digest {
        try await store(for: repository).putMirroredManifest(repository, reference: reference, body: body, manifest: manifest)
    }

    public func manifest(_ repository: RepositoryName, _ reference: Reference) async throws -> StoredManifest {
        try await store(for: repository).manifest(repository, reference)
    }

    public func deleteManifest(_ repository: RepositoryName, _ reference: Reference) async throws {
        try await store(for: repository).deleteManifest(repository, reference)
    }

    public func tags(_ repository: RepositoryName) async throws -> [String]? {
        try await store(for: repository).tags(repository)
    }

    /// The repositories each store serves (a store's directory may hold names routed elsewhere;
    /// those are not reachable and not listed).
    public func catalog() async throws -> [String] {
        var names = Set<String>()
        for store in allStores {
            for name in try await store.catalog() {
                if let repository = RepositoryName(name), self.store(for: repository) === store { names.insert(name) }
            }
        }
        return names.sorted()
    }

    /// The stores' pages merged: each store is asked for the same page, names routed elsewhere are dropped, and
    /// the first `limit` of the union are returned (a store that had more is asked again from where it stopped).
    public func catalogPage(after: String?, limit: Int) async throws -> [String] {
        guard limit > 0 else { return [] }
        var merged: [String] = []
        for store in allStores {
            var cursor = after
            var kept: [String] = []
            while kept.count < limit {
                let page = try await store.catalogPage(after: cursor, limit: limit)
                kept += page.filter { name in RepositoryName(name).map { self.store(for: $0) === store } ?? false }
                guard page.count == limit, let last = page.last else { break }
                cursor = last
            }
            merged += kept.prefix(limit)
        }
        return Array(merged.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.prefix(limit))
    }

    public func referrers(_ repository: RepositoryName, subject: Digest, artifactType: String?) async throws -> [Descriptor] {
        try await store(for: repository).referrers(repository, subject: subject, artifactType: artifactType)
    }
}
