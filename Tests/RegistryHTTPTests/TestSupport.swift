import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RegistryConfig
import RegistryCore
@testable import RegistryApp
import RegistryHTTP

/// A fresh storage directory per test, removed when the test ends.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "zot-authz-http-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

/// What a test registry is configured with: optional htpasswd users and optional accessControl JSON.
struct RegistrySetup {
    var users: [(name: String, password: String)] = []
    /// The JSON object text of `http.accessControl`, if any.
    var accessControl: String?
    /// `log.audit`: where the audit trail is written, if anywhere.
    var auditPath: String?
    /// Adjusts the server options built from the config (limits a config cannot express).
    var configure: @Sendable (inout RegistryServerOptions) -> Void = { _ in }

    static let open = RegistrySetup()
}

/// Writes an htpasswd file with bcrypt (cost 5) entries made by the real `htpasswd` tool.
func writeHtpasswd(_ users: [(name: String, password: String)], to path: String) throws {
    var lines = ""
    for user in users {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/htpasswd")
        process.arguments = ["-nbB", "-C", "5", user.name, user.password]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError(description: "htpasswd exited with \(process.terminationStatus)") }
        lines += String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }
    try lines.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Builds the full registry pipeline from a Zot JSON config rooted in a temporary directory and
/// runs `body` against it in process.
func withRegistry(_ setup: RegistrySetup = .open,
                  _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    let directory = try TemporaryDirectory()
    var http = "\"address\":\"127.0.0.1\",\"port\":5000,\"realm\":\"zot-authz-test\""
    if !setup.users.isEmpty {
        let htpasswdPath = directory.path + "/htpasswd"
        try writeHtpasswd(setup.users, to: htpasswdPath)
        http += ",\"auth\":{\"htpasswd\":{\"path\":\(JSONText.quote(htpasswdPath))}}"
    }
    if let accessControl = setup.accessControl {
        http += ",\"accessControl\":\(accessControl)"
    }
    let audit = setup.auditPath.map { ",\"audit\":\(JSONText.quote($0))" } ?? ""
    let json = "{\"storage\":{\"rootDirectory\":\(JSONText.quote(directory.path + "/storage"))},\"http\":{\(http)},\"log\":{\"level\":\"error\"\(audit)}}"
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    var options = try RegistryService.options(from: try ConfigLoader.parse(json, format: .json), logger: logger)
    setup.configure(&options)
    let app = Application(router: RegistryServer.router(options), logger: logger)
    try await app.test(.router) { client in
        try await body(client)
    }
    withExtendedLifetime(directory) {}
}

// MARK: Request helpers

func basicAuthorization(_ user: String, _ password: String) -> HTTPFields {
    [.authorization: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var result = lhs
        result.append(contentsOf: rhs)
        return result
    }
}

func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

extension TestResponse {
    /// The response body as bytes.
    var bytes: [UInt8] { Array(body.readableBytesView) }
    /// The response body as text.
    var text: String { String(buffer: body) }
    /// The response body parsed as a JSON object (nil if it is not one).
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// The OCI error codes of a response body, or nil when it is not `{"errors":[{"code","message",…}]}`
/// with string `code` and `message` in every entry.
func ociErrorCodes(_ response: TestResponse) -> [String]? {
    guard let errors = response.json?["errors"] as? [[String: Any]], !errors.isEmpty else { return nil }
    var codes: [String] = []
    for entry in errors {
        guard let code = entry["code"] as? String, entry["message"] is String else { return nil }
        codes.append(code)
    }
    return codes
}

/// A small image: config blob and one layer blob, plus its manifest bytes.
struct TestImage {
    let config: [UInt8]
    let layer: [UInt8]
    let manifest: [UInt8]

    var configDigest: Digest { Digest.of(config) }
    var layerDigest: Digest { Digest.of(layer) }
    var manifestDigest: Digest { Digest.of(manifest) }

    init(seed: String, subject: (Digest, Int)? = nil, artifactType: String? = nil, configMediaType: String = "application/vnd.oci.image.config.v1+json") {
        config = Array("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\(JSONText.quote(seed))}".utf8)
        layer = Array("layer bytes of \(seed)".utf8)
        var text = """
        {"schemaVersion":2,"mediaType":"\(MediaType.ociManifest)",
        """
        if let artifactType { text += "\"artifactType\":\(JSONText.quote(artifactType))," }
        text += """
        "config":{"mediaType":"\(configMediaType)","digest":"\(Digest.of(config))","size":\(config.count)},\
        "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\(Digest.of(layer))","size":\(layer.count)}]
        """
        if let subject {
            text += ",\"subject\":{\"mediaType\":\"\(MediaType.ociManifest)\",\"digest\":\"\(subject.0)\",\"size\":\(subject.1)}"
        }
        text += "}"
        manifest = Array(text.utf8)
    }
}

extension TestClientProtocol {
    /// Pushes a blob with POST then a single PUT; returns the PUT response.
    @discardableResult
    func pushBlob(_ repository: String, _ bytes: [UInt8], headers: HTTPFields = [:]) async throws -> TestResponse {
        let start = try await execute(uri: "/v2/\(repository)/blobs/uploads/", method: .post, headers: headers)
        guard start.status == .accepted, let location = start.header("Location") else {
            throw FixtureError(description: "POST upload answered \(start.status): \(start.text)")
        }
        let separator = location.contains("?") ? "&" : "?"
        return try await execute(uri: location + separator + "digest=\(Digest.of(bytes))", method: .put,
                                 headers: headers + [.contentType: "application/octet-stream"], body: buffer(bytes))
    }

    /// Puts a manifest at `reference`.
    @discardableResult
    func putManifest(_ repository: String, _ reference: String, _ body: [UInt8], mediaType: String = MediaType.ociManifest,
                     headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: "/v2/\(repository)/manifests/\(reference)", method: .put,
                          headers: headers + [.contentType: mediaType], body: buffer(body))
    }

    /// Pushes an image's blobs and manifest; fails unless every step succeeded.
    func pushImage(_ repository: String, _ tag: String, _ image: TestImage, headers: HTTPFields = [:]) async throws {
        for blob in [image.config, image.layer] {
            let response = try await pushBlob(repository, blob, headers: headers)
            guard response.status == .created else { throw FixtureError(description: "blob PUT answered \(response.status): \(response.text)") }
        }
        let response = try await putManifest(repository, tag, image.manifest, headers: headers)
        guard response.status == .created else { throw FixtureError(description: "manifest PUT answered \(response.status): \(response.text)") }
    }
}
