import RegistryCore

/// Manifest, tag and referrer storage of one registry.
public protocol ManifestStore: Sendable {
    /// The digest a tag points at, if the tag exists.
    func resolveTag(_ repository: RepositoryName, _ tag: String) async throws -> Digest?
    /// Stores a validated manifest; referenced blobs and manifests must already be in the repository.
    /// With `tagMustBeNew`, the tag is created atomically and an existing tag is never moved
    /// (`DENIED`): a caller allowed to create but not to update cannot win a race to overwrite.
    func putManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest, tagMustBeNew: Bool) async throws -> Digest
    /// Stores a manifest copied from an upstream registry (pull-through cache): the blobs and manifests it references
    /// may arrive later, on demand. A tag is moved if it exists.
    func putMirroredManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest) async throws -> Digest
    /// Reads a manifest by tag or digest.
    func manifest(_ repository: RepositoryName, _ reference: Reference) async throws -> StoredManifest
    /// Deletes a tag (the manifest stays, untagged), or a manifest and every tag pointing at it.
    func deleteManifest(_ repository: RepositoryName, _ reference: Reference) async throws
    /// Tags of a repository, sorted; `nil` if the repository is unknown.
    func tags(_ repository: RepositoryName) async throws -> [String]?
    /// Every repository name, sorted, found by walking the layout (the truth; O(repositories)).
    func catalog() async throws -> [String]
    /// Up to `limit` repository names after `after`, sorted, from the repository index (O(page)).
    func catalogPage(after: String?, limit: Int) async throws -> [String]
    /// Manifests whose `subject` is `digest`, optionally only those of one artifact type.
    func referrers(_ repository: RepositoryName, subject: Digest, artifactType: String?) async throws -> [Descriptor]
}

extension ManifestStore {
    /// Stores a manifest, moving the tag if it exists.
    public func putManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest) async throws -> Digest {
        try await putManifest(repository, reference: reference, body: body, manifest: manifest, tagMustBeNew: false)
    }
}

/// A manifest as stored: content, media type and digest.
public struct StoredManifest: Sendable {
    public let body: [UInt8]
    public let mediaType: String
    public let digest: Digest
}
