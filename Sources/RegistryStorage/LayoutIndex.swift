import Foundation
import RegistryCore

/// A repository's `index.json` as Zot reads and writes it. Entries are kept as JSON objects so
/// fields this code does not know (platform, urls, other annotations) survive a rewrite.
struct LayoutIndex {
    static let refNameAnnotation = "org.opencontainers.image.ref.name"

    private var document: [String: Any]
    /// The `manifests` entries in file order.
    var entries: [[String: Any]]

    /// A new, empty index.
    init() {
        document = ["schemaVersion": 2]
        entries = []
    }

    /// Parses an `index.json`; `manifests: null` (as Zot writes for a new repository) is empty.
    init(bytes: [UInt8]) throws(RegistryError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw RegistryError(.unknown, status: 500, detail: "index.json is not a JSON object")
        }
        document = object
        entries = (object["manifests"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
    }

    /// The file content (keys sorted, so rewrites are stable).
    func encoded() throws -> [UInt8] {
        var object = document
        object["manifests"] = entries
        if object["schemaVersion"] == nil { object["schemaVersion"] = 2 }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    static func digest(of entry: [String: Any]) -> Digest? { (entry["digest"] as? String).flatMap { Digest($0) } }
    static func tag(of entry: [String: Any]) -> String? { (entry["annotations"] as? [String: Any])?[refNameAnnotation] as? String }
    static func mediaType(of entry: [String: Any]) -> String? { entry["mediaType"] as? String }

    /// Valid tags, sorted.
    var tags: [String] {
        Array(Set(entries.compactMap(Self.tag).filter { Reference.isValidTag($0) })).sorted()
    }

    /// The entry a tag names.
    func entry(tag: String) -> [String: Any]? { entries.first { Self.tag(of: $0) == tag } }

    /// The first entry with `digest` (tagged or not).
    func entry(digest: Digest) -> [String: Any]? { entries.first { Self.digest(of: $0) == digest } }

    /// Every distinct manifest digest listed.
    var digests: [Digest] {
        var seen = Set<Digest>()
        return entries.compactMap(Self.digest).filter { seen.insert($0).inserted }
    }

    /// Points `tag` at a manifest, as Zot's PutImageManifest does: the tag's entry is replaced
    /// (keeping its other fields), an untagged entry of the same digest is dropped. Returns false
    /// when the tag already pointed there (nothing to write).
    mutating func setTag(_ tag: String, digest: Digest, mediaType: String, size: Int64) -> Bool {
        var entry: [String: Any] = ["annotations": [Self.refNameAnnotation: tag]]
        if let index = entries.firstIndex(where: { Self.tag(of: $0) == tag }) {
            if Self.digest(of: entries[index]) == digest, Self.mediaType(of: entries[index]) == mediaType { return false }
            entry = entries.remove(at: index)
        }
        entry["digest"] = digest.description
        entry["mediaType"] = mediaType
        entry["size"] = size
        entries.removeAll { Self.tag(of: $0) == nil && Self.digest(of: $0) == digest }
        entries.append(entry)
        return true
    }

    /// Lists an untagged manifest (push by digest); false if the digest is already listed.
    mutating func addUntagged(digest: Digest, mediaType: String, size: Int64) -> Bool {
        guard entry(digest: digest) == nil else { return false }
        entries.append(["digest": digest.description, "mediaType": mediaType, "size": size])
        return true
    }

    /// Removes a tag as Zot does: the manifest stays listed untagged unless another entry lists it.
    /// Returns false if the tag does not exist.
    mutating func removeTag(_ tag: String) -> Bool {
        guard let index = entries.firstIndex(where: { Self.tag(of: $0) == tag }) else { return false }
        var removed = entries.remove(at: index)
        guard let digest = Self.digest(of: removed), entry(digest: digest) == nil else { return true }
        var annotations = removed["annotations"] as? [String: Any] ?? [:]
        annotations[Self.refNameAnnotation] = nil
        removed["annotations"] = annotations.isEmpty ? nil : annotations
        entries.append(removed)
        return true
    }

    /// Removes every entry of a manifest (its tags too). Returns the media type, or nil if not listed.
    mutating func removeManifest(_ digest: Digest) -> String? {
        guard let first = entry(digest: digest) else { return nil }
        entries.removeAll { Self.digest(of: $0) == digest }
        return Self.mediaType(of: first) ?? MediaType.ociManifest
    }
}
