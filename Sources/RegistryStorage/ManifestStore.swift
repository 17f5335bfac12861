import Foundation
import RegistryCore

/// Manifest, tag and referrer storage of one registry.
public protocol ManifestStore: Sendable {
    /// The digest a tag points at, if the tag exists.
    func resolveTag(_ repository: RepositoryName, _ tag: String) -> Digest?
    /// Stores a validated manifest; referenced blobs and manifests must already be in the repository.
    /// With `tagMustBeNew`, the tag is created atomically and an existing tag is never moved
    /// (`DENIED`): a caller allowed to create but not to update cannot win a race to overwrite.
    func putManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest, tagMustBeNew: Bool) throws -> Digest
    /// Reads a manifest by tag or digest.
    func manifest(_ repository: RepositoryName, _ reference: Reference) throws(RegistryError) -> StoredManifest
    /// Deletes a tag, or a manifest and every tag pointing at it.
    func deleteManifest(_ repository: RepositoryName, _ reference: Reference) throws
    /// Tags of a repository, sorted; `nil` if the repository is unknown.
    func tags(_ repository: RepositoryName) -> [String]?
    /// Every repository name, sorted.
    func catalog() -> [String]
    /// Manifests whose `subject` is `digest`, optionally only those of one artifact type.
    func referrers(_ repository: RepositoryName, subject: Digest, artifactType: String?) -> [Descriptor]
}

/// A manifest as stored: content, media type and digest.
extension ManifestStore {
    /// Stores a manifest, moving the tag if it exists.
    public func putManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest) throws -> Digest {
        try putManifest(repository, reference: reference, body: body, manifest: manifest, tagMustBeNew: false)
    }
}

public struct StoredManifest: Sendable {
    public let body: [UInt8]
    public let mediaType: String
    public let digest: Digest
}

/// Metadata kept beside each manifest revision.
struct RevisionRecord: Codable {
    var mediaType: String
    var size: Int64
    var artifactType: String?
    var annotations: [String: String]?
    var subject: String?
}

extension FileSystemStorage: ManifestStore {
    public func resolveTag(_ repository: RepositoryName, _ tag: String) -> Digest? {
        guard Reference.isValidTag(tag), let bytes = FileOperations.read(layout.tag(repository, tag)) else { return nil }
        return Digest(String(decoding: bytes, as: UTF8.self))
    }

    public func putManifest(_ repository: RepositoryName, reference: Reference, body: [UInt8], manifest: ParsedManifest, tagMustBeNew: Bool) throws -> Digest {
        let digest: Digest
        if case .digest(let given) = reference {
            digest = Digest.of(body, algorithm: given.algorithm)
            guard digest == given else {
                throw RegistryError(.digestInvalid, detail: "manifest digest is \(digest), not \(given)")
            }
        } else {
            digest = Digest.of(body)
        }
        for blob in manifest.blobs where blobSize(repository, blob) == nil {
            throw RegistryError(.manifestBlobUnknown, detail: "blob \(blob) is not in \(repository)")
        }
        for child in manifest.manifests where !FileOperations.exists(layout.manifestRevision(repository, child)) {
            throw RegistryError(.manifestBlobUnknown, detail: "manifest \(child) is not in \(repository)")
        }
        let blobPath = layout.blob(digest)
        if !FileOperations.exists(blobPath) {
            try FileOperations.writeAtomically(body, to: blobPath, sync: commit)
        }
        let record = RevisionRecord(mediaType: manifest.mediaType, size: Int64(body.count), artifactType: manifest.artifactType,
                                    annotations: manifest.annotations, subject: manifest.subject?.description)
        try FileOperations.writeAtomically(Array(try JSONEncoder().encode(record)), to: layout.manifestRevision(repository, digest), sync: commit)
        if let subject = manifest.subject {
            let descriptor = Descriptor(mediaType: manifest.mediaType, digest: digest, size: Int64(body.count),
                                        artifactType: manifest.artifactType, annotations: manifest.annotations)
            try FileOperations.writeAtomically(Array(try JSONEncoder().encode(descriptor)),
                                               to: layout.referrer(repository, subject: subject, referrer: digest), sync: commit)
        }
        if case .tag(let tag) = reference {
            if tagMustBeNew {
                guard try FileOperations.createExclusively(Array(digest.description.utf8), at: layout.tag(repository, tag), sync: commit) else {
                    throw RegistryError(.denied, detail: "tag \(tag) already exists in \(repository) and update is not granted")
                }
            } else {
                try FileOperations.writeAtomically(Array(digest.description.utf8), to: layout.tag(repository, tag), sync: commit)
            }
        }
        return digest
    }

    func revision(_ repository: RepositoryName, _ digest: Digest) -> RevisionRecord? {
        guard let bytes = FileOperations.read(layout.manifestRevision(repository, digest)) else { return nil }
        return try? JSONDecoder().decode(RevisionRecord.self, from: Data(bytes))
    }

    public func manifest(_ repository: RepositoryName, _ reference: Reference) throws(RegistryError) -> StoredManifest {
        let digest: Digest
        switch reference {
        case .digest(let d): digest = d
        case .tag(let tag):
            guard let d = resolveTag(repository, tag) else { throw RegistryError(.manifestUnknown, detail: "tag \(tag) not found in \(repository)") }
            digest = d
        }
        guard let record = revision(repository, digest), let body = FileOperations.read(layout.blob(digest)) else {
            throw RegistryError(.manifestUnknown, detail: "manifest \(digest) not found in \(repository)")
        }
        return StoredManifest(body: body, mediaType: record.mediaType, digest: digest)
    }

    public func deleteManifest(_ repository: RepositoryName, _ reference: Reference) throws {
        switch reference {
        case .tag(let tag):
            guard FileOperations.remove(layout.tag(repository, tag)) else {
                throw RegistryError(.manifestUnknown, detail: "tag \(tag) not found in \(repository)")
            }
        case .digest(let digest):
            guard let record = revision(repository, digest) else {
                throw RegistryError(.manifestUnknown, detail: "manifest \(digest) not found in \(repository)")
            }
            for tag in tags(repository) ?? [] where resolveTag(repository, tag) == digest {
                FileOperations.remove(layout.tag(repository, tag))
            }
            if let subjectText = record.subject, let subject = Digest(subjectText) {
                FileOperations.remove(layout.referrer(repository, subject: subject, referrer: digest))
            }
            FileOperations.remove(layout.manifestRevision(repository, digest))
        }
    }

    public func tags(_ repository: RepositoryName) -> [String]? {
        guard FileOperations.isDirectory(layout.repository(repository)) else { return nil }
        return FileOperations.list(layout.tagsDirectory(repository)).filter { Reference.isValidTag($0) }.sorted()
    }

    public func catalog() -> [String] {
        var names: [String] = []
        func walk(_ directory: String, prefix: String) {
            for entry in FileOperations.list(directory) where !entry.hasPrefix("_") {
                let path = directory + "/" + entry
                guard FileOperations.isDirectory(path) else { continue }
                let name = prefix.isEmpty ? entry : prefix + "/" + entry
                let children = FileOperations.list(path)
                if children.contains(where: { $0 == "_manifests" || $0 == "_layers" || $0 == "_tags" }),
                   RepositoryName.isValid(name) {
                    names.append(name)
                }
                walk(path, prefix: name)
            }
        }
        walk(layout.repositoriesDirectory, prefix: "")
        return names.sorted()
    }

    public func referrers(_ repository: RepositoryName, subject: Digest, artifactType: String?) -> [Descriptor] {
        let directory = layout.referrersDirectory(repository, subject: subject)
        var result: [Descriptor] = []
        for entry in FileOperations.list(directory).sorted() {
            guard let bytes = FileOperations.read(directory + "/" + entry),
                  let descriptor = try? JSONDecoder().decode(Descriptor.self, from: Data(bytes)) else { continue }
            if let artifactType, descriptor.artifactType != artifactType { continue }
            result.append(descriptor)
        }
        return result
    }
}
