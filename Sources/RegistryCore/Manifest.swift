import Foundation

/// An integral JSON number (not a boolean, not a fraction), as parsed by JSONSerialization.
func jsonInteger(_ value: Any?) -> Int64? {
    guard let number = value as? NSNumber else { return nil }
    // Booleans are NSNumbers too; their Objective-C type is "c" (char).
    guard String(cString: number.objCType) != "c" else { return nil }
    let double = number.doubleValue
    guard double.rounded() == double, double.magnitude < 9.0e18 else { return nil }
    return number.int64Value
}

/// Media types the registry understands.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"

    /// Media types of manifests that list other manifests.
    public static let indexTypes: Set<String> = [ociIndex, dockerManifestList]
    /// Media types of manifests that list blobs.
    public static let imageTypes: Set<String> = [ociManifest, dockerManifest]
}

/// A content descriptor: media type, digest, size, and optional artifact type and annotations.
public struct Descriptor: Sendable, Hashable, Codable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var artifactType: String?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, artifactType: String? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest.description
        self.size = size
        self.artifactType = artifactType
        self.annotations = annotations
    }
}

/// A manifest body checked against the OCI image/index shape, with the references it makes.
///
/// Parsing never trusts the client: every digest is validated, sizes must be non-negative,
/// and the `mediaType` field must agree with the `Content-Type` the client sent.
public struct ParsedManifest: Sendable {
    /// The effective media type (body field, else Content-Type).
    public let mediaType: String
    /// Blobs the manifest references (config and layers); they must exist in the repository.
    public let blobs: [Digest]
    /// Manifests an index references; they must exist in the repository.
    public let manifests: [Digest]
    /// The `subject` descriptor's digest, for the referrers API.
    public let subject: Digest?
    /// `artifactType`, or the config media type of an image manifest (spec's referrers rule).
    public let artifactType: String?
    /// Manifest-level annotations.
    public let annotations: [String: String]?

    /// Validates `body` as a manifest sent with `contentType`.
    public static func parse(_ body: [UInt8], contentType: String?) throws(RegistryError) -> ParsedManifest {
        func invalid(_ why: String) -> RegistryError { RegistryError(.manifestInvalid, detail: why) }
        guard !body.isEmpty else { throw invalid("empty manifest body") }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(body), options: []) as? [String: Any] else {
                throw invalid("manifest is not a JSON object")
            }
            object = parsed
        } catch let error as RegistryError {
            throw error
        } catch {
            throw invalid("manifest is not valid JSON")
        }
        guard jsonInteger(object["schemaVersion"]) == 2 else {
            throw invalid("schemaVersion must be 2")
        }
        let declared = object["mediaType"].map { $0 as? String }
        if case .some(.none) = declared { throw invalid("mediaType must be a string") }
        let contentType = contentType.map { String($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces) }
        let bodyType: String? = declared ?? nil
        if let bodyType, let contentType, !contentType.isEmpty, bodyType != contentType {
            throw invalid("mediaType \"\(bodyType)\" does not match Content-Type \"\(contentType)\"")
        }
        let isIndexShape = object["manifests"] != nil
        let mediaType = bodyType ?? (contentType.flatMap { $0.isEmpty ? nil : $0 } ?? (isIndexShape ? MediaType.ociIndex : MediaType.ociManifest))

        func descriptor(_ value: Any?, _ where_: String) throws(RegistryError) -> (Digest, String, [String: Any]) {
            guard let d = value as? [String: Any] else { throw invalid("\(where_) must be a descriptor object") }
            guard let digestText = d["digest"] as? String, let digest = Digest(digestText) else {
                throw invalid("\(where_).digest is missing or not a valid digest")
            }
            guard let size = jsonInteger(d["size"]), size >= 0 else {
                throw invalid("\(where_).size must be a non-negative integer")
            }
            guard let type = d["mediaType"] as? String, !type.isEmpty else {
                throw invalid("\(where_).mediaType must be a non-empty string")
            }
            return (digest, type, d)
        }

        var blobs: [Digest] = []
        var manifests: [Digest] = []
        var artifactType = object["artifactType"] as? String
        if object["artifactType"] != nil, artifactType == nil { throw invalid("artifactType must be a string") }

        if MediaType.indexTypes.contains(mediaType) || (isIndexShape && !MediaType.imageTypes.contains(mediaType)) {
            guard let list = object["manifests"] as? [Any] else { throw invalid("manifests must be an array") }
            for (i, entry) in list.enumerated() {
                manifests.append(try descriptor(entry, "manifests[\(i)]").0)
            }
        } else {
            let (configDigest, configType, _) = try descriptor(object["config"], "config")
            blobs.append(configDigest)
            guard let layers = object["layers"] as? [Any] else { throw invalid("layers must be an array") }
            for (i, entry) in layers.enumerated() {
                blobs.append(try descriptor(entry, "layers[\(i)]").0)
            }
            // Spec: for referrers, a missing artifactType is the config descriptor's media type.
            if artifactType == nil {
                artifactType = configType
            }
        }
        var subject: Digest?
        if object["subject"] != nil {
            subject = try descriptor(object["subject"], "subject").0
        }
        var annotations: [String: String]?
        if let raw = object["annotations"] {
            guard let dict = raw as? [String: Any] else { throw invalid("annotations must be an object") }
            var strings: [String: String] = [:]
            for (k, v) in dict {
                guard let s = v as? String else { throw invalid("annotation \"\(k)\" must be a string") }
                strings[k] = s
            }
            annotations = strings
        }
        return ParsedManifest(mediaType: mediaType, blobs: blobs, manifests: manifests, subject: subject,
                              artifactType: artifactType, annotations: annotations)
    }
}
