import Foundation
import NIOCore
import RegistryCore

/// Zot's `extensions.lint`: an image manifest must carry every mandatory annotation, either in its own `annotations`
/// or as a label of its image config (`config.Labels`), as Zot's `CheckMandatoryAnnotations` checks. Indexes and
/// other artifacts pass. Checked before anything of the manifest is stored.
public struct ManifestLinter: Sendable {
    /// `mandatoryAnnotations`.
    public let mandatoryAnnotations: [String]

    /// Largest image config read for its labels.
    static let maximumConfigSize: Int64 = 4 << 20

    /// A linter requiring `mandatoryAnnotations`.
    public init(mandatoryAnnotations: [String]) {
        self.mandatoryAnnotations = mandatoryAnnotations
    }

    /// The mandatory keys the manifest lacks (sorted; empty when it passes).
    public func missingAnnotations(_ manifest: ParsedManifest, body: [UInt8], repository: RepositoryName,
                                   blobs: any BlobStore) async throws -> [String] {
        guard !mandatoryAnnotations.isEmpty, MediaType.imageTypes.contains(manifest.mediaType) else { return [] }
        var missing = Set(mandatoryAnnotations).subtracting((manifest.annotations ?? [:]).keys)
        guard !missing.isEmpty else { return [] }
        if let config = Self.configDigest(body), let size = try await blobs.blobSize(repository, config), size <= Self.maximumConfigSize {
            var bytes: [UInt8] = []
            for try await chunk in try await blobs.readBlob(repository, config, offset: 0, length: nil) {
                bytes += chunk.readableBytesView
            }
            missing.subtract(Self.labels(bytes).keys)
        }
        return missing.sorted()
    }

    /// The `config.digest` of an image manifest.
    static func configDigest(_ body: [UInt8]) -> Digest? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let config = object["config"] as? [String: Any], let digest = config["digest"] as? String else { return nil }
        return Digest(digest)
    }

    /// `config.Labels` of an image config (Docker writes `Labels` under `config`).
    static func labels(_ bytes: [UInt8]) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let config = object["config"] as? [String: Any] else { return [:] }
        return (config["Labels"] as? [String: Any]) ?? [:]
    }
}

extension Reference {
    /// The tag, when the reference is one.
    public var tag: String? {
        if case .tag(let tag) = self { return tag }
        return nil
    }
}
