import Foundation
import NIOCore
import RegistryCore

/// The registry's storage logic, written once above any `StorageDriver`, in Zot's on-disk
/// format (see `StorageLayout`): every repository is an OCI image layout that skopeo, umoci and
/// oras read and write directly, and an existing Zot root directory is served as it is.
///
/// `index.json` changes are read-modify-write cycles under a per-repository async lock, each
/// written atomically by the driver. With `dedupe` (Zot's default), a blob already stored in
/// another repository is hard-linked rather than stored again (drivers without hard links copy);
/// without it every repository keeps its own copy. Either way each repository owns its files,
/// so deleting one repository's blob never breaks another's.
public final class LayoutStorage: Sendable {
    /// The backend.
    public let driver: any StorageDriver
    /// Zot's `storage.dedupe`.
    public let dedupe: Bool
    let locks: RepositoryLocks
    let sessions = UploadSessions()
    let dedupeIndex: DedupeIndex
    let repositoryIndex: RepositoryIndex
    let indexCache = IndexCache()
    let recentBlobs = RecentBlobs()

    /// Largest manifest or index.json read back (the HTTP layer limits what it accepts).
    static let maximumDocumentSize = 64 << 20

    /// Storage on `driver`, its dedupe and repository indexes in `dedupeIndex` and `repositoryIndex` (in memory
    /// unless a server passes its metadata database). Use `open` to also refuse a root in the project's earlier layout.
    /// `lockObserver` is told how long each `index.json` lock was waited for and held (Zot's storage lock latency).
    public init(driver: any StorageDriver, dedupe: Bool = true, dedupeIndex: any DedupeIndexStore = InMemoryDedupeIndexStore(),
                repositoryIndex: any RepositoryIndexStore = InMemoryRepositoryIndexStore(),
                lockObserver: (@Sendable (Duration) -> Void)? = nil) {
        self.driver = driver
        self.dedupe = dedupe
        self.dedupeIndex = DedupeIndex(store: dedupeIndex)
        self.repositoryIndex = RepositoryIndex(store: repositoryIndex)
        locks = RepositoryLocks(observer: lockObserver)
    }

    /// Storage on `driver`, after checking the root is not in zot-authz's earlier private layout.
    public static func open(driver: any StorageDriver, dedupe: Bool = true) async throws -> LayoutStorage {
        try await LegacyLayoutCheck.refuseLegacyLayout(driver)
        return LayoutStorage(driver: driver, dedupe: dedupe)
    }

    // MARK: repositories

    /// Reads a repository's index, or nil if the repository does not exist: from the cache while the file is the one
    /// it holds (one `stat`), else from storage.
    func readIndex(_ repository: RepositoryName) async throws -> LayoutIndex? {
        let path = try StorageLayout.index(repository)
        let info: StorageFileInfo
        do {
            info = try await driver.stat(path)
        } catch StorageDriverError.pathNotFound {
            await indexCache.forget(repository)
            return nil
        }
        let fingerprint = IndexCache.Fingerprint(size: info.size, modificationTime: info.modificationTime)
        if let cached = await indexCache.index(repository, matching: fingerprint) { return cached }
        let bytes: [UInt8]
        do {
            bytes = try await driver.getContent(path, maximumSize: Self.maximumDocumentSize)
        } catch StorageDriverError.pathNotFound {
            return nil
        }
        let index = try LayoutIndex(bytes: bytes)
        // The fingerprint was taken before the read: if the file changed in between, the next stat differs.
        if Int64(bytes.count) == info.size { await indexCache.store(index, repository, fingerprint) }
        return index
    }

    /// Writes the index (creating `oci-layout` first for a new repository) and keeps it in the cache.
    func writeIndex(_ index: LayoutIndex, _ repository: RepositoryName, isNew: Bool) async throws {
        if isNew, !(try await driver.exists(StorageLayout.ociLayout(repository))) {
            try await driver.putContent(StorageLayout.ociLayout(repository), StorageLayout.ociLayoutContent)
        }
        let path = try StorageLayout.index(repository)
        let bytes = index.encoded()
        await indexCache.forget(repository)
        try await driver.putContent(path, bytes)
        if let info = try? await driver.stat(path), info.size == Int64(bytes.count) {
            await indexCache.store(index, repository, IndexCache.Fingerprint(size: info.size, modificationTime: info.modificationTime))
        }
        if isNew { await indexRepository(repository) }
    }

    /// Creates the repository (oci-layout and an empty index.json) if it does not exist, as Zot's
    /// InitRepo does when an upload starts.
    func ensureRepository(_ repository: RepositoryName) async throws {
        if try await driver.exists(StorageLayout.index(repository)) { return }
        try await locks.withLock(repository.value) { [self] in
            if try await readIndex(repository) == nil {
                try await writeIndex(LayoutIndex(), repository, isNew: true)
            }
        }
    }

    /// Whether a directory is a repository (holds `oci-layout` and `index.json`).
    func isRepository(_ directory: StoragePath) async throws -> Bool {
        guard try await driver.exists(directory.appending(StorageLayout.indexFile)) else { return false }
        return try await driver.exists(directory.appending(StorageLayout.ociLayoutFile))
    }

    /// Every repository, found by walking the tree (nested names are nested directories).
    public func catalog() async throws -> [String] {
        var names: [String] = []
        var pending: [StoragePath] = [.root]
        while let directory = pending.popLast() {
            for child in try await driver.listIfPresent(directory) {
                let name = child.lastComponent
                if name.hasPrefix(".") || (directory != .root && (name == StorageLayout.blobsDirectory)) { continue }
                guard try await driver.stat(child).isDirectory else { continue }
                let repositoryName = child.value.dropFirst()
                if try await isRepository(child), RepositoryName.isValid(String(repositoryName)) {
                    names.append(String(repositoryName))
                }
                pending.append(child)
            }
        }
        return names.sorted()
    }

    // MARK: blobs

    public func blobSize(_ repository: RepositoryName, _ digest: Digest) async throws -> Int64? {
        do {
            let info = try await driver.stat(StorageLayout.blob(repository, digest))
            return info.isDirectory ? nil : info.size
        } catch StorageDriverError.pathNotFound {
            return nil
        }
    }

    public func readBlob(_ repository: RepositoryName, _ digest: Digest, offset: Int64, length: Int64?) async throws -> StorageReadStream {
        do {
            return try await driver.reader(StorageLayout.blob(repository, digest), offset: offset, length: length)
        } catch StorageDriverError.pathNotFound {
            throw RegistryError(.blobUnknown, detail: "blob \(digest) not found in \(repository)")
        }
    }

    public func localBlobFile(_ repository: RepositoryName, _ digest: Digest) -> String? {
        guard driver.capabilities.contains(.localFiles), let path = try? StorageLayout.blob(repository, digest) else { return nil }
        return driver.localFile(path)
    }

    public func mountBlob(_ digest: Digest, into repository: RepositoryName, from source: RepositoryName) async throws -> Bool {
        let sourcePath = try StorageLayout.blob(source, digest)
        guard try await blobSize(source, digest) != nil else { return false }
        if source == repository { return true }
        try await ensureRepository(repository)
        let destination = try StorageLayout.blob(repository, digest)
        do {
            if dedupe { try await driver.link(sourcePath, to: destination) } else { try await driver.copy(sourcePath, to: destination) }
        } catch StorageDriverError.pathNotFound {
            return false  // deleted meanwhile
        }
        await dedupeIndex.add(digest, destination)
        recentBlobs.touch(destination)
        return true
    }

    /// Deletes a blob no listed manifest references; a referenced one is refused as Zot does
    /// (405 DENIED: delete the manifest first), so a delete never breaks an image.
    public func deleteBlob(_ repository: RepositoryName, _ digest: Digest) async throws {
        let path = try StorageLayout.blob(repository, digest)
        try await locks.withLock(repository.value) { [self] in
            guard try await blobSize(repository, digest) != nil else {
                throw RegistryError(.blobUnknown, detail: "blob \(digest) not found in \(repository)")
            }
            if try await referencedDigests(repository).contains(digest) {
                throw RegistryError(.denied, status: 405, detail: "blob \(digest) is referenced by a manifest in \(repository); delete the manifest first")
            }
            do {
                try await driver.delete(path)
            } catch StorageDriverError.pathNotFound {
                throw RegistryError(.blobUnknown, detail: "blob \(digest) not found in \(repository)")
            }
            await dedupeIndex.remove(digest, path)
        }
    }

    /// Every digest the repository's listed manifests reference, including the manifests
    /// themselves and, through indexes, their child manifests.
    func referencedDigests(_ repository: RepositoryName) async throws -> Set<Digest> {
        guard let index = try await readIndex(repository) else { return [] }
        var referenced = Set<Digest>()
        var pending = index.digests
        while let digest = pending.popLast() {
            guard referenced.insert(digest).inserted else { continue }
            guard let body = try? await driver.getContent(StorageLayout.blob(repository, digest), maximumSize: Self.maximumDocumentSize),
                  let manifest = try? ParsedManifest.parse(body, contentType: nil) else { continue }
            referenced.formUnion(manifest.blobs)
            pending.append(contentsOf: manifest.manifests)
        }
        return referenced
    }

    /// Puts a verified upload at `repository`'s blob path: a hard link to an existing copy when
    /// deduplicating (then the upload is dropped), else a move.
    func place(upload: StoragePath, _ digest: Digest, in repository: RepositoryName) async throws {
        let destination = try StorageLayout.blob(repository, digest)
        if dedupe, driver.capabilities.contains(.hardLinks) {
            for existing in await dedupeCandidates(digest) where existing != destination {
                do {
                    try await driver.link(existing, to: destination)
                    try? await driver.delete(upload)
                    await dedupeIndex.add(digest, destination)
        recentBlobs.touch(destination)
                    return
                } catch StorageDriverError.pathNotFound {
                    await dedupeIndex.remove(digest, existing)
                }
            }
        }
        try await driver.move(upload, to: destination)
        await dedupeIndex.add(digest, destination)
        recentBlobs.touch(destination)
    }

    /// Paths known to hold `digest` (the index is built by a scan on first use).
    func dedupeCandidates(_ digest: Digest) async -> [StoragePath] {
        await dedupeIndex.paths(for: digest) { [self] in await self.scanBlobs() }
    }

    /// Every blob file of every repository, for rebuilding the dedupe index.
    func scanBlobs() async -> [(Digest, StoragePath)] {
        var found: [(Digest, StoragePath)] = []
        for name in (try? await catalog()) ?? [] {
            guard let repository = RepositoryName(name) else { continue }
            found.append(contentsOf: await blobFiles(repository))
        }
        return found
    }

    /// The blob files of one repository.
    func blobFiles(_ repository: RepositoryName) async -> [(Digest, StoragePath)] {
        var found: [(Digest, StoragePath)] = []
        for algorithm in Digest.Algorithm.allCases {
            guard let directory = try? StorageLayout.blobs(repository).appending(algorithm.rawValue) else { continue }
            for path in (try? await driver.listIfPresent(directory)) ?? [] {
                if let digest = Digest("\(algorithm.rawValue):\(path.lastComponent)") { found.append((digest, path)) }
            }
        }
        return found
    }
}
