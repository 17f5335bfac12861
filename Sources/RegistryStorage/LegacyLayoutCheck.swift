/// Refuses a storage root written by zot-authz before it stored Zot's format: that layout had
/// `repositories/<name>/_manifests|_layers|_tags`, shared `blobs/<alg>/<xx>/<hex>` and `uploads/`
/// at the root. Serving it would show an empty catalog, and writing into it would mix formats.
public enum LegacyLayoutCheck {
    /// What the startup error says.
    static func message(_ driver: (any StorageDriver)?) -> String {
        let location = driver?.localFile(.root).map { "\"\($0)\"" } ?? "the storage root"
        return """
            \(location) holds data in zot-authz's earlier private layout (repositories/, blobs/, uploads/). \
            This version stores Zot's on-disk format (one OCI image layout per repository). Point \
            storage.rootDirectory at an empty directory or a Zot data directory; to keep the old images, \
            serve the old directory with the previous zot-authz release and copy each image across \
            (e.g. skopeo copy --all docker://OLD/REPO:TAG docker://NEW/REPO:TAG), then remove the old directory.
            """
    }

    public static func refuseLegacyLayout(_ driver: any StorageDriver) async throws {
        let repositories = try StoragePath("/repositories")
        guard try await driver.exists(repositories), try await driver.stat(repositories).isDirectory,
              !(try await driver.exists(repositories.appending(StorageLayout.indexFile))) else { return }
        var legacy = false
        for child in try await driver.listIfPresent(repositories) {
            for marker in ["_manifests", "_layers", "_tags"] {
                if try await driver.exists(child.appending(marker)) { legacy = true }
            }
        }
        let blobs = try StoragePath("/blobs/sha256")
        if try await driver.exists(blobs), !(try await driver.exists(StoragePath("/blobs/oci-layout"))) { legacy = true }
        if legacy { throw LegacyLayoutError(description: message(driver)) }
    }
}

/// The root is in the earlier layout; the message says what to do.
public struct LegacyLayoutError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

import Foundation

extension LegacyLayoutCheck {
    /// The same check on a local root directory, without a driver (for synchronous startup code).
    public static func refuseLegacyLayout(localRoot: String) throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        let repositories = localRoot + "/repositories"
        guard files.fileExists(atPath: repositories, isDirectory: &isDirectory), isDirectory.boolValue,
              !files.fileExists(atPath: repositories + "/index.json") else { return }
        var legacy = files.fileExists(atPath: localRoot + "/blobs/sha256") && !files.fileExists(atPath: localRoot + "/blobs/oci-layout")
        for child in (try? files.contentsOfDirectory(atPath: repositories)) ?? [] {
            for marker in ["_manifests", "_layers", "_tags"] where files.fileExists(atPath: "\(repositories)/\(child)/\(marker)") {
                legacy = true
            }
        }
        if legacy {
            throw LegacyLayoutError(description: "\"\(localRoot)\"" + message(nil).dropFirst("the storage root".count))
        }
    }
}
