import RegistryCore

extension LayoutStorage {
    /// Bytes stored in every repository (blobs, manifests, index.json, uploads excluded). With
    /// dedupe on a driver with hard links, content shared by several repositories counts once.
    public func storedBytes() async -> Int64 {
        var total: Int64 = 0
        var counted = Set<Digest>()
        let shared = dedupe && driver.capabilities.contains(.hardLinks)
        for name in (try? await catalog()) ?? [] {
            guard let repository = RepositoryName(name) else { continue }
            for file in [StorageLayout.indexFile, StorageLayout.ociLayoutFile] {
                if let path = try? StorageLayout.repository(repository).appending(file), let info = try? await driver.stat(path) {
                    total += info.size
                }
            }
            for (digest, path) in await blobFiles(repository) {
                if shared, !counted.insert(digest).inserted { continue }
                if let info = try? await driver.stat(path) { total += info.size }
            }
        }
        return total
    }
}
