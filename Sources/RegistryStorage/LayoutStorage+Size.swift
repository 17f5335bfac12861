import RegistryCore

/// What a store holds, measured by walking its repositories.
public struct StorageUsage: Sendable, Equatable {
    /// Bytes stored in every repository; with dedupe on a driver with hard links, shared content counts once.
    public var totalBytes: Int64
    /// Bytes per repository name (each repository counts all of its files, shared or not, as Zot's
    /// `zot_repo_storage_bytes` does).
    public var repositoryBytes: [String: Int64]

    public init(totalBytes: Int64 = 0, repositoryBytes: [String: Int64] = [:]) {
        self.totalBytes = totalBytes
        self.repositoryBytes = repositoryBytes
    }

    /// Both usages together (stores of different routes hold different repositories).
    public mutating func add(_ other: StorageUsage) {
        totalBytes += other.totalBytes
        repositoryBytes.merge(other.repositoryBytes) { $0 + $1 }
    }
}

extension LayoutStorage {
    /// Bytes stored in every repository (blobs, manifests, index.json, uploads excluded). With
    /// dedupe on a driver with hard links, content shared by several repositories counts once.
    public func storedBytes() async -> Int64 {
        await storageUsage().totalBytes
    }

    /// The total and the per-repository bytes, in one walk (uploads excluded).
    public func storageUsage() async -> StorageUsage {
        var usage = StorageUsage()
        var counted = Set<Digest>()
        let shared = dedupe && driver.capabilities.contains(.hardLinks)
        for name in (try? await catalog()) ?? [] {
            guard let repository = RepositoryName(name) else { continue }
            var repositoryBytes: Int64 = 0
            for file in [StorageLayout.indexFile, StorageLayout.ociLayoutFile] {
                if let path = try? StorageLayout.repository(repository).appending(file), let info = try? await driver.stat(path) {
                    repositoryBytes += info.size
                    usage.totalBytes += info.size
                }
            }
            for (digest, path) in await blobFiles(repository) {
                guard let info = try? await driver.stat(path) else { continue }
                repositoryBytes += info.size
                if shared, !counted.insert(digest).inserted { continue }
                usage.totalBytes += info.size
            }
            usage.repositoryBytes[name] = repositoryBytes
        }
        return usage
    }
}
