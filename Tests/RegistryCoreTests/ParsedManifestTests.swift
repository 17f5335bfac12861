import Foundation
import RegistryCore
import Testing

@Suite("ParsedManifest.parse")
struct ParsedManifestTests {
    static let configDigest = "sha256:" + String(repeating: "c", count: 64)
    static let layerDigest = "sha256:" + String(repeating: "1", count: 64)
    static let emptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

    static func descriptorJSON(_ mediaType: String, _ digest: String, _ size: String = "10") -> String {
        "{\"mediaType\":\"\(mediaType)\",\"digest\":\"\(digest)\",\"size\":\(size)}"
    }

    /// An image manifest body; `extra` is spliced into the top-level object.
    static func image(mediaType: String? = MediaType.ociManifest, configType: String = "application/vnd.oci.image.config.v1+json",
                      layers: [String]? = nil, extra: String = "", schemaVersion: String = "2") -> [UInt8] {
        var fields = ["\"schemaVersion\":\(schemaVersion)"]
        if let mediaType { fields.append("\"mediaType\":\"\(mediaType)\"") }
        fields.append("\"config\":" + descriptorJSON(configType, configDigest, "2"))
        let layerList = layers ?? [descriptorJSON("application/vnd.oci.image.layer.v1.tar+gzip", layerDigest)]
        fields.append("\"layers\":[" + layerList.joined(separator: ",") + "]")
        if !extra.isEmpty { fields.append(extra) }
        return Array(("{" + fields.joined(separator: ",") + "}").utf8)
    }

    static var subjectField: String { "\"subject\":" + descriptorJSON(MediaType.ociManifest, sha256Hello, "300") }

    @Test("an OCI image manifest yields its config and layer digests")
    func ociImage() throws {
        let parsed = try ParsedManifest.parse(Self.image(), contentType: MediaType.ociManifest)
        #expect(parsed.mediaType == MediaType.ociManifest)
        #expect(parsed.blobs == [digest(Self.configDigest), digest(Self.layerDigest)])
        #expect(parsed.manifests.isEmpty)
        #expect(parsed.subject == nil)
        #expect(parsed.artifactType == "application/vnd.oci.image.config.v1+json")
    }

    @Test("a Docker v2 manifest is accepted with its own media type")
    func dockerManifest() throws {
        let body = Self.image(mediaType: MediaType.dockerManifest, configType: "application/vnd.docker.container.image.v1+json")
        let parsed = try ParsedManifest.parse(body, contentType: MediaType.dockerManifest)
        #expect(parsed.mediaType == MediaType.dockerManifest)
        #expect(parsed.blobs.count == 2)
    }

    @Test("an OCI index yields its child manifest digests and no blobs")
    func ociIndex() throws {
        let body = Array(("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":["
            + Self.descriptorJSON(MediaType.ociManifest, sha256Hello, "500") + ","
            + Self.descriptorJSON(MediaType.ociManifest, sha512Empty, "600") + "]}").utf8)
        let parsed = try ParsedManifest.parse(body, contentType: MediaType.ociIndex + "; charset=utf-8")
        #expect(parsed.mediaType == MediaType.ociIndex)
        #expect(parsed.manifests == [digest(sha256Hello), digest(sha512Empty)])
        #expect(parsed.blobs.isEmpty)
    }

    @Test("without a mediaType field the Content-Type decides, else the shape")
    func mediaTypeFallbacks() throws {
        #expect(try ParsedManifest.parse(Self.image(mediaType: nil), contentType: MediaType.dockerManifest).mediaType == MediaType.dockerManifest)
        #expect(try ParsedManifest.parse(Self.image(mediaType: nil), contentType: nil).mediaType == MediaType.ociManifest)
        let index = Array("{\"schemaVersion\":2,\"manifests\":[]}".utf8)
        #expect(try ParsedManifest.parse(index, contentType: nil).mediaType == MediaType.ociIndex)
    }

    @Test("an explicit artifactType is kept, with or without a subject")
    func explicitArtifactType() throws {
        let plain = try ParsedManifest.parse(Self.image(extra: "\"artifactType\":\"application/x.sbom\""), contentType: nil)
        #expect(plain.artifactType == "application/x.sbom")
        let referrer = try ParsedManifest.parse(
            Self.image(configType: "application/x.config", extra: "\"artifactType\":\"application/x.sig\"," + Self.subjectField),
            contentType: nil)
        #expect(referrer.artifactType == "application/x.sig")
    }

    @Test("a manifest without artifactType takes its config media type, as the referrers API requires")
    func artifactTypeFromConfig() throws {
        let fromConfig = try ParsedManifest.parse(Self.image(configType: "application/x.sbom.config", extra: Self.subjectField), contentType: nil)
        #expect(fromConfig.artifactType == "application/x.sbom.config")
        #expect(fromConfig.subject == digest(sha256Hello))
        let empty = try ParsedManifest.parse(Self.image(configType: MediaType.ociEmpty, extra: Self.subjectField), contentType: nil)
        #expect(empty.artifactType == MediaType.ociEmpty)
        #expect(empty.subject == digest(sha256Hello))
        let noSubject = try ParsedManifest.parse(Self.image(configType: "application/x.sbom.config"), contentType: nil)
        #expect(noSubject.artifactType == "application/x.sbom.config")
    }

    @Test("annotations are read as strings")
    func annotations() throws {
        let parsed = try ParsedManifest.parse(Self.image(extra: "\"annotations\":{\"org.opencontainers.image.created\":\"2024\"}"), contentType: nil)
        #expect(parsed.annotations == ["org.opencontainers.image.created": "2024"])
    }

    @Test("descriptor sizes of 0 and 1 are valid sizes, not booleans", arguments: ["0", "1"])
    func smallSizes(size: String) throws {
        let layer = Self.descriptorJSON("application/vnd.oci.image.layer.v1.tar", Self.layerDigest, size)
        let parsed = try ParsedManifest.parse(Self.image(layers: [layer]), contentType: nil)
        #expect(parsed.blobs.count == 2)
    }

    static let invalidBodies: [InvalidManifest] = [
        InvalidManifest("mediaType differs from Content-Type", image(), MediaType.dockerManifest),
        InvalidManifest("schemaVersion missing", Array("{\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":{},\"layers\":[]}".utf8), nil),
        InvalidManifest("schemaVersion 1", image(schemaVersion: "1"), nil),
        InvalidManifest("schemaVersion as string", image(schemaVersion: "\"2\""), nil),
        InvalidManifest("schemaVersion true", image(schemaVersion: "true"), nil),
        InvalidManifest("schemaVersion 2.5", image(schemaVersion: "2.5"), nil),
        InvalidManifest("layer digest invalid", image(layers: [descriptorJSON("application/x", "sha256:abc")]), nil),
        InvalidManifest("layer digest upper case", image(layers: [descriptorJSON("application/x", layerDigest.uppercased())]), nil),
        InvalidManifest("layer size negative", image(layers: [descriptorJSON("application/x", layerDigest, "-1")]), nil),
        InvalidManifest("layer size fractional", image(layers: [descriptorJSON("application/x", layerDigest, "1.5")]), nil),
        InvalidManifest("layer size string", image(layers: [descriptorJSON("application/x", layerDigest, "\"10\"")]), nil),
        InvalidManifest("layer size boolean", image(layers: [descriptorJSON("application/x", layerDigest, "true")]), nil),
        InvalidManifest("layer without mediaType", image(layers: ["{\"digest\":\"\(layerDigest)\",\"size\":1}"]), nil),
        InvalidManifest("layers not an array", image(layers: nil, extra: "").replacingLayers(with: "{}"), nil),
        InvalidManifest("config missing", Array("{\"schemaVersion\":2,\"layers\":[]}".utf8), nil),
        InvalidManifest("subject not a descriptor", image(extra: "\"subject\":\"sha256:x\""), nil),
        InvalidManifest("artifactType not a string", image(extra: "\"artifactType\":7"), nil),
        InvalidManifest("mediaType not a string", image(mediaType: nil, extra: "\"mediaType\":5"), nil),
        InvalidManifest("annotation value not a string", image(extra: "\"annotations\":{\"a\":1}"), nil),
        InvalidManifest("index manifests not an array", Array("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":{}}".utf8), nil),
        InvalidManifest("not JSON", Array("not json".utf8), nil),
        InvalidManifest("truncated JSON", Array(image().dropLast()), nil),
        InvalidManifest("empty body", [], nil),
        InvalidManifest("JSON array", Array("[{\"schemaVersion\":2}]".utf8), nil),
        InvalidManifest("JSON string", Array("\"manifest\"".utf8), nil),
        InvalidManifest("invalid UTF-8", [0x7b, 0xff, 0xfe, 0x7d], nil),
    ]

    @Test("malformed manifests are MANIFEST_INVALID", arguments: invalidBodies)
    func invalidManifests(fixture: InvalidManifest) {
        let error = #expect(throws: RegistryError.self) { try ParsedManifest.parse(fixture.body, contentType: fixture.contentType) }
        #expect(error?.code == .manifestInvalid)
        #expect(error?.status == 400)
    }

    /// Runs in a child process (exit test) so that a trap fails this test instead of killing the whole test run.
    @Test("an empty or parameter-only Content-Type is treated as absent, without crashing")
    func blankContentType() async {
        await #expect(processExitsWith: .success) {
            for contentType in ["", ";", " ; charset=utf-8"] {
                guard let parsed = try? ParsedManifest.parse(ParsedManifestTests.image(), contentType: contentType),
                      parsed.mediaType == MediaType.ociManifest else { exit(2) }
            }
        }
    }
}

/// A malformed manifest fixture, shown in test output by its reason only.
struct InvalidManifest: Sendable, CustomTestStringConvertible {
    let reason: String
    let body: [UInt8]
    let contentType: String?

    init(_ reason: String, _ body: [UInt8], _ contentType: String?) {
        self.reason = reason
        self.body = body
        self.contentType = contentType
    }

    var testDescription: String { reason }
}

private extension Array where Element == UInt8 {
    /// Replaces the `"layers":[…]` array of a fixture with `replacement`.
    func replacingLayers(with replacement: String) -> [UInt8] {
        let text = String(decoding: self, as: UTF8.self)
        guard let start = text.range(of: "\"layers\":[") else { return self }
        guard let end = text[start.upperBound...].firstIndex(of: "]") else { return self }
        return Array((text[..<start.lowerBound] + "\"layers\":" + replacement + text[text.index(after: end)...]).utf8)
    }
}
