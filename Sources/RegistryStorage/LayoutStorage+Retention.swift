import Foundation
import RegistryCore
import RegistryRetention

/// What retention needs from a repository, and applying its decisions, under the repository lock.
extension LayoutStorage {
    /// The repository as the retention evaluator sees it: `index.json` entries, each listed manifest's subject and
    /// children (followed through indexes) and when its blob was stored; nil when the repository does not exist.
    public func retentionSnapshot(_ repository: RepositoryName, activity: RepositoryActivity) async throws -> RepositorySnapshot? {
        guard let index = try await readIndex(repository) else { return nil }
        let entries = index.entries.compactMap { entry in
            entry.digest.map { ListedManifest(digest: $0, mediaType: entry.mediaType ?? MediaType.ociManifest, tag: entry.tag) }
        }
        var facts: [Digest: ManifestFacts] = [:]
        var pending = index.digests
        while let digest = pending.popLast() {
            guard facts[digest] == nil else { continue }
            let path = try StorageLayout.blob(repository, digest)
            let info = try? await driver.stat(path)
            let body = try? await driver.getContent(path, maximumSize: Self.maximumDocumentSize)
            let parsed = body.flatMap { try? ParsedManifest.parse($0, contentType: nil) }
            let storedAt = info.map { max($0.modificationTime, recentBlobs.placedAt(path) ?? .distantPast) }
            facts[digest] = ManifestFacts(subject: parsed?.subject, children: parsed?.manifests ?? [], storedAt: storedAt)
            pending.append(contentsOf: parsed?.manifests ?? [])
        }
        return RepositorySnapshot(name: repository.value, entries: entries, manifests: facts, activity: activity)
    }

    /// Removes what `outcome` deletes, re-checked against the current `index.json` under the lock: a tag is removed
    /// only if it still names the manifest it was decided for, a manifest only if it is still listed without a tag
    /// (a push since the evaluation wins). Returns what was removed.
    public func applyRetention(_ outcome: RetentionOutcome, _ repository: RepositoryName) async throws -> (tags: [String], manifests: [Digest]) {
        let deletedTags = outcome.deletedTags, deletedManifests = outcome.deletedManifests
        guard !deletedTags.isEmpty || !deletedManifests.isEmpty else { return ([], []) }
        return try await locks.withLock(repository.value) { [self] in
            guard var index = try await readIndex(repository) else { return ([], []) }
            var tags: [String] = [], manifests: [Digest] = []
            for (tag, digest) in deletedTags where index.entry(tag: tag)?.digest == digest {
                if index.removeTag(tag) { tags.append(tag) }
            }
            for digest in deletedManifests {
                let listed = index.entries.filter { $0.digest == digest }
                guard !listed.isEmpty, listed.allSatisfy({ $0.tag == nil }) else { continue }
                _ = index.removeManifest(digest)
                manifests.append(digest)
            }
            if !tags.isEmpty || !manifests.isEmpty { try await writeIndex(index, repository, isNew: false) }
            return (tags, manifests)
        }
    }
}
