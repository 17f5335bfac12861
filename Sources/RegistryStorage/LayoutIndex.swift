import Foundation
import RegistryCore

/// One `manifests` entry of an `index.json`: its fields as JSON (unknown ones survive a rewrite), the ones this code
/// uses read once, and its serialized text kept so rewriting a large index is mostly copying bytes.
struct IndexEntry: Sendable {
    let fields: [String: IndexJSON]
    let digest: Digest?
    let mediaType: String?
    /// The `org.opencontainers.image.ref.name` annotation, when present.
    let tag: String?
    /// The entry's JSON text, keys sorted.
    let json: [UInt8]

    init(fields: [String: IndexJSON]) {
        self.fields = fields
        digest = fields["digest"]?.stringValue.flatMap { Digest($0) }
        mediaType = fields["mediaType"]?.stringValue
        tag = fields["annotations"]?.objectValue?[LayoutIndex.refNameAnnotation]?.stringValue
        var out: [UInt8] = []
        IndexJSON.object(fields).write(to: &out)
        json = out
    }

    /// This entry with `annotations` holding `tag` (or no ref name when `nil`), other annotations kept.
    func tagged(_ tag: String?) -> IndexEntry {
        var fields = fields
        var annotations = fields["annotations"]?.objectValue ?? [:]
        annotations[LayoutIndex.refNameAnnotation] = tag.map { .string($0) }
        fields["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        return IndexEntry(fields: fields)
    }
}

/// A repository's `index.json` as Zot reads and writes it.
struct LayoutIndex: Sendable {
    static let refNameAnnotation = "org.opencontainers.image.ref.name"

    /// Top-level fields other than `manifests` (schemaVersion, mediaType, annotations, …).
    private var document: [String: IndexJSON]
    /// The `manifests` entries in file order.
    private(set) var entries: [IndexEntry]

    /// A new, empty index.
    init() {
        document = ["schemaVersion": .integer(2)]
        entries = []
    }

    /// Parses an `index.json`; `manifests: null` (as Zot writes for a new repository) is empty.
    init(bytes: [UInt8]) throws(RegistryError) {
        guard case .object(var object)? = IndexJSON.parse(bytes) else {
            throw RegistryError(.unknown, status: 500, detail: "index.json is not a JSON object")
        }
        let manifests = object.removeValue(forKey: "manifests")
        if case .array(let values)? = manifests {
            entries = values.compactMap { $0.objectValue.map(IndexEntry.init(fields:)) }
        } else {
            entries = []
        }
        document = object
    }

    /// The file content: keys sorted (so rewrites are stable), each entry's kept text copied.
    func encoded() -> [UInt8] {
        var fields = document
        if fields["schemaVersion"] == nil { fields["schemaVersion"] = .integer(2) }
        let keys = (Array(fields.keys) + ["manifests"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(64) { $0 + $1.json.count + 1 })
        out.append(UInt8(ascii: "{"))
        for (position, key) in keys.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            IndexJSON.writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            guard key == "manifests" else {
                fields[key]?.write(to: &out)
                continue
            }
            out.append(UInt8(ascii: "["))
            for (index, entry) in entries.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += entry.json
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Valid tags, sorted.
    var tags: [String] {
        Array(Set(entries.compactMap(\.tag).filter { Reference.isValidTag($0) })).sorted()
    }

    /// The entry a tag names.
    func entry(tag: String) -> IndexEntry? { entries.first { $0.tag == tag } }

    /// The first entry with `digest` (tagged or not).
    func entry(digest: Digest) -> IndexEntry? { entries.first { $0.digest == digest } }

    /// Every distinct manifest digest listed.
    var digests: [Digest] {
        var seen = Set<Digest>()
        return entries.compactMap(\.digest).filter { seen.insert($0).inserted }
    }

    /// Points `tag` at a manifest, as Zot's PutImageManifest does: the tag's entry is replaced
    /// (keeping its other fields), an untagged entry of the same digest is dropped. Returns false
    /// when the tag already pointed there (nothing to write).
    mutating func setTag(_ tag: String, digest: Digest, mediaType: String, size: Int64) -> Bool {
        var fields: [String: IndexJSON] = ["annotations": .object([Self.refNameAnnotation: .string(tag)])]
        if let index = entries.firstIndex(where: { $0.tag == tag }) {
            if entries[index].digest == digest, entries[index].mediaType == mediaType { return false }
            fields = entries.remove(at: index).fields
        }
        fields["digest"] = .string(digest.description)
        fields["mediaType"] = .string(mediaType)
        fields["size"] = .integer(size)
        entries.removeAll { $0.tag == nil && $0.digest == digest }
        entries.append(IndexEntry(fields: fields))
        return true
    }

    /// Lists an untagged manifest (push by digest); false if the digest is already listed.
    mutating func addUntagged(digest: Digest, mediaType: String, size: Int64) -> Bool {
        guard entry(digest: digest) == nil else { return false }
        entries.append(IndexEntry(fields: ["digest": .string(digest.description), "mediaType": .string(mediaType), "size": .integer(size)]))
        return true
    }

    /// Removes a tag as Zot does: the manifest stays listed untagged unless another entry lists it.
    /// Returns false if the tag does not exist.
    mutating func removeTag(_ tag: String) -> Bool {
        guard let index = entries.firstIndex(where: { $0.tag == tag }) else { return false }
        let removed = entries.remove(at: index)
        guard let digest = removed.digest, entry(digest: digest) == nil else { return true }
        entries.append(removed.tagged(nil))
        return true
    }

    /// Removes every entry of a manifest (its tags too). Returns the media type, or nil if not listed.
    mutating func removeManifest(_ digest: Digest) -> String? {
        guard let first = entry(digest: digest) else { return nil }
        entries.removeAll { $0.digest == digest }
        return first.mediaType ?? MediaType.ociManifest
    }
}
