import Foundation
import RegistryCore

/// Manifests are blobs in `blobs/` listed in `index.json` (tagged entries carry the
/// `org.opencontainers.image.ref.name` annotation; untagged ones do not), with Zot's semantics.
extension LayoutStorage: ManifestStore {
    public func resolveTag(_ repository: RepositoryName, _ tag: String) async throws -> Digest? {
        guard Reference.isValidTag(tag), let index = try await readIndex(repository),
              let entry = index.entry(tag: tag) else { return nil }
        return entry.digest
    }

    public func putManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest, tagMustBeNew: Bool) async throws -> Digest {
        try await storeManifest(repository, reference: reference, body: body, manifest: manifest, tagMustBeNew: tagMustBeNew,
                                requireReferences: true)
    }

    public func putMirroredManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest) async throws -> Digest {
        try await storeManifest(repository, reference: reference, body: body, manifest: manifest, tagMustBeNew: false,
                                requireReferences: false)
    }

    private func storeManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest,
                               tagMustBeNew: Bool, requireReferences: Bool) async throws -> Digest {
        let digest: Digest
        if case .digest(let given) = reference {
            digest = Digest.of(body, algorithm: given.algorithm)
            guard digest == given else {
                throw RegistryError(.digestInvalid, detail: "manifest digest is \(digest), not \(given)")
            }
        } else {
            digest = Digest.of(body)
        }
        let driver = driver
        let blobPath = try StorageLayout.blob(repository, digest)
        return try await locks.withLock(repository.value) { [self] in
            // Checked under the repository lock, which GC also takes to delete a blob: a blob seen here cannot be
            // collected before this manifest lists it. A mirrored manifest (sync) may name blobs that arrive later.
            for blob in manifest.blobs where requireReferences {
                if try await blobSize(repository, blob) == nil {
                    throw RegistryError(.manifestBlobUnknown, detail: "blob \(blob) is not in \(repository)")
                }
            }
            for child in manifest.manifests where requireReferences {
                if try await blobSize(repository, child) == nil {
                    throw RegistryError(.manifestBlobUnknown, detail: "manifest \(child) is not in \(repository)")
                }
            }
            let existing = try await readIndex(repository)
            var index = existing ?? LayoutIndex()
            let changed: Bool
            switch reference {
            case .tag(let tag):
                if tagMustBeNew, index.entry(tag: tag) != nil {
                    throw RegistryError(.denied, detail: "tag \(tag) already exists in \(repository) and update is not granted")
                }
                changed = index.setTag(tag, digest: digest, mediaType: manifest.mediaType, size: Int64(body.count))
            case .digest:
                changed = index.addUntagged(digest: digest, mediaType: manifest.mediaType, size: Int64(body.count))
            }
            if (try? await driver.stat(blobPath).size) != Int64(body.count) {
                try await driver.putContent(blobPath, body)
            }
            if changed || existing == nil {
                try await writeIndex(index, repository, isNew: existing == nil)
            }
            return digest
        }
    }

    public func manifest(_ repository: RepositoryName, _ reference: Reference) async throws -> StoredManifest {
        guard let index = try await readIndex(repository) else {
            throw RegistryError(.manifestUnknown, detail: "repository \(repository) not found")
        }
        let digest: Digest
        var mediaType: String?
        switch reference {
        case .tag(let tag):
            guard let entry = index.entry(tag: tag), let found = entry.digest else {
                throw RegistryError(.manifestUnknown, detail: "tag \(tag) not found in \(repository)")
            }
            digest = found
            mediaType = entry.mediaType
        case .digest(let given):
            digest = given
            mediaType = index.entry(digest: given)?.mediaType
        }
        let body: [UInt8]
        do {
            body = try await driver.getContent(StorageLayout.blob(repository, digest), maximumSize: Self.maximumDocumentSize)
        } catch StorageDriverError.pathNotFound {
            throw RegistryError(.manifestUnknown, detail: "manifest \(digest) not found in \(repository)")
        }
        if mediaType == nil {
            // A child of an index written by another tool (skopeo lists only the top manifest):
            // it is a manifest if it parses as one.
            guard let parsed = try? ParsedManifest.parse(body, contentType: nil) else {
                throw RegistryError(.manifestUnknown, detail: "manifest \(digest) not found in \(repository)")
            }
            mediaType = parsed.mediaType
        }
        return StoredManifest(body: body, mediaType: mediaType ?? MediaType.ociManifest, digest: digest)
    }

    public func deleteManifest(_ repository: RepositoryName, _ reference: Reference) async throws {
        let driver = driver
        try await locks.withLock(repository.value) { [self] in
            guard var index = try await readIndex(repository) else {
                throw RegistryError(.manifestUnknown, detail: "repository \(repository) not found")
            }
            switch reference {
            case .tag(let tag):
                guard index.removeTag(tag) else { throw RegistryError(.manifestUnknown, detail: "tag \(tag) not found in \(repository)") }
                try await writeIndex(index, repository, isNew: false)
            case .digest(let digest):
                guard index.removeManifest(digest) != nil else {
                    throw RegistryError(.manifestUnknown, detail: "manifest \(digest) not found in \(repository)")
                }
                try await writeIndex(index, repository, isNew: false)
                let path = try StorageLayout.blob(repository, digest)
                if try await driver.deleteIfPresent(path) { await dedupeIndex.remove(digest, path) }
            }
        }
    }

    public func tags(_ repository: RepositoryName) async throws -> [String]? {
        try await readIndex(repository)?.tags
    }

    public func referrers(_ repository: RepositoryName, subject: Digest, artifactType: String?) async throws -> [Descriptor] {
        guard let index = try await readIndex(repository) else { return [] }
        var result: [Descriptor] = []
        for digest in index.digests {
            guard let body = try? await driver.getContent(StorageLayout.blob(repository, digest), maximumSize: Self.maximumDocumentSize),
                  let parsed = try? ParsedManifest.parse(body, contentType: nil), parsed.subject == subject else { continue }
            if let artifactType, parsed.artifactType != artifactType { continue }
            result.append(Descriptor(mediaType: parsed.mediaType, digest: digest, size: Int64(body.count),
                                     artifactType: parsed.artifactType, annotations: parsed.annotations))
        }
        return result.sorted { $0.digest < $1.digest }
    }
}
