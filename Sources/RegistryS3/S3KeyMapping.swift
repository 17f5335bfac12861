import RegistryStorage

/// Maps driver paths to object keys as Zot's S3 store does: Zot builds its paths below `rootdirectory`, and
/// Distribution's S3 driver prefixes `rootdirectory` again, so `rootdirectory: /zot` puts repository `alpine` at
/// `zot/zot/alpine/…` (Zot keeps this for compatibility; its `pkg/storage/storage.go` `RootDir`). Using the
/// same keys lets zot-authz serve an existing Zot bucket unchanged.
public struct S3KeyMapping: Sendable, Hashable {
    /// The key of the driver's root, without a trailing `/` (`""` when `rootdirectory` is empty or `/`).
    public let rootKey: String
    /// Name of the reserved root entry that holds the unflushed tails of closed writers.
    static let pendingName = ".zot-authz-pending"

    public init(rootDirectory: String) {
        let trimmed = rootDirectory.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        rootKey = trimmed.isEmpty ? "" : "\(trimmed)/\(trimmed)"
    }

    /// The object key of `path` (the root's key is `rootKey`).
    public func key(_ path: StoragePath) -> String {
        if path == .root { return rootKey }
        return rootKey.isEmpty ? String(path.value.dropFirst()) : rootKey + path.value
    }

    /// The listing prefix of the directory `path` (ends with `/`, or is `""` for an empty root).
    public func directoryPrefix(_ path: StoragePath) -> String {
        let base = key(path)
        return base.isEmpty ? "" : base + "/"
    }

    /// Where the tail of a closed writer of `path` is kept: `<root>/.zot-authz-pending/<path>/`.
    func pendingPrefix(_ path: StoragePath) -> String {
        directoryPrefix(.root) + Self.pendingName + path.value + "/"
    }

    /// The driver path of a listed key or common prefix below `directory`, nil if it is not a valid path.
    func path(ofListed key: String, in directory: StoragePath) -> StoragePath? {
        let prefix = directoryPrefix(directory)
        guard key.hasPrefix(prefix) else { return nil }
        var name = key.dropFirst(prefix.count)
        if name.hasSuffix("/") { name = name.dropLast() }
        guard !name.isEmpty, !name.contains("/") else { return nil }
        if directory == .root && name == Self.pendingName { return nil }
        return try? directory.appending(String(name))
    }
}
