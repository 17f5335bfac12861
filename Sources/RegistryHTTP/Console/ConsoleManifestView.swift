import Foundation
import RegistryCore

/// The parts of a manifest, index and image config the console shows (decoded leniently: display only, the
/// registry validated the content when it was pushed).
struct ConsoleManifestView: Decodable {
    struct Platform: Decodable {
        let architecture: String?
        let os: String?
        let variant: String?

        var text: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
    }

    struct Entry: Decodable {
        let mediaType: String?
        let digest: String
        let size: Int64?
        let platform: Platform?
        let artifactType: String?
    }

    let mediaType: String?
    let artifactType: String?
    let config: Entry?
    let layers: [Entry]?
    let manifests: [Entry]?
    let subject: Entry?
    let annotations: [String: String]?

    static func decode(_ body: [UInt8]) -> ConsoleManifestView? {
        try? JSONDecoder().decode(ConsoleManifestView.self, from: Data(body))
    }

    /// Whether this is an index (a list of platform manifests).
    var isIndex: Bool { manifests != nil }

    /// Manifest, config and layers together; for an index, the index and its manifests.
    func totalSize(manifestBytes: Int) -> Int64 {
        let parts = (layers ?? []) + (config.map { [$0] } ?? []) + (manifests ?? [])
        return Int64(manifestBytes) + parts.reduce(0) { $0 + ($1.size ?? 0) }
    }

    /// `os/arch[/variant]` of an index's manifests, in order.
    var platforms: [String] { (manifests ?? []).compactMap { $0.platform?.text }.filter { !$0.isEmpty } }
}

/// The image config fields a reader wants first.
struct ConsoleImageConfig: Decodable {
    struct Inner: Decodable {
        let Env: [String]?
        let Entrypoint: [String]?
        let Cmd: [String]?
        let Labels: [String: String]?
        let User: String?
        let WorkingDir: String?
    }

    let architecture: String?
    let os: String?
    let created: String?
    let config: Inner?
}
