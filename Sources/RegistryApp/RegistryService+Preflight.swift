import Foundation
import Logging
import RegistryAuth
import RegistryConfig
import RegistrySync
import RegistryMetadata

#if canImport(Glibc)
import Glibc
#endif

extension RegistryService {
    /// The checks `serve` would fail on at startup, run without starting anything or writing anything, so
    /// `verify` reports them: TLS files that cannot be loaded, an htpasswd file that cannot be read, a session key
    /// file with a too-short `hashKey`, a storage root that cannot be used, a metrics path inside `/v2`, an
    /// `accessControl` that does not compile. Each problem names its config path.
    public static func preflight(_ config: ZotConfig) -> [String] {
        var problems: [String] = []
        func check(_ body: () throws -> Void) {
            do { try body() } catch { problems.append("\(error)") }
        }
        check { _ = try accessPolicy(config) }
        check { _ = try tokenSetup(config, createKey: false) }
        check {
            _ = try tlsConfiguration(config.http.tls, certificate: try serverCertificate(config.http.tls),
                                     clientCertificateRequired: config.requiresClientCertificate)
        }
        if let htpasswd = config.http.auth?.htpasswd {
            var logger = Logger(label: "zot-authz.verify")
            logger.logLevel = .critical
            check {
                do {
                    _ = try HtpasswdAuthenticator(path: htpasswd.path, logger: logger)
                } catch {
                    throw StartupError(description: "http.auth.htpasswd.path: \(error)")
                }
            }
        }
        for (index, registry) in (config.extensions.sync?.registries ?? []).enumerated() where registry.certDir != nil {
            check {
                do {
                    _ = try UpstreamHTTPClientFactory.tlsConfiguration(registry)
                } catch {
                    throw StartupError(description: "extensions.sync.registries[\(index)].certDir: \(error)")
                }
            }
        }
        if let keysFile = config.http.auth?.sessionKeysFile {
            check {
                do {
                    _ = try SessionKeysFile.load(path: keysFile)
                } catch {
                    throw StartupError(description: "http.auth.sessionKeysFile: \(error)")
                }
            }
        }
        if let problem = storageRootProblem(config.storage.rootDirectory) {
            problems.append("storage.rootDirectory: \(problem)")
        }
        check { _ = try metricsEndpoint(config, logger: Logger(label: "zot-authz.verify", factory: { _ in SwiftLogNoOpLogHandler() })) }
        return problems
    }

    /// Why `path` cannot hold the registry's data, or `nil`: it must be a writable directory, or not exist yet
    /// below a writable directory (it is then created at start).
    /// The directory part of `path` (`""` for a bare name). Written out because Foundation's
    /// `deletingLastPathComponent` traps on some short relative paths (a one-character name such as `7`).
    static func parentDirectory(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    static func storageRootProblem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return "\"\(path)\" exists and is not a directory" }
            return access(path, W_OK | X_OK) == 0 ? nil : "\"\(path)\" is not writable by this user"
        }
        var ancestor = parentDirectory(path)
        while !ancestor.isEmpty, !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDirectory) {
            let parent = parentDirectory(ancestor)
            if parent == ancestor { break }
            ancestor = parent
        }
        if ancestor.isEmpty { return nil }
        guard isDirectory.boolValue else { return "\"\(ancestor)\" is not a directory, so \"\(path)\" cannot be created" }
        return access(ancestor, W_OK | X_OK) == 0 ? nil : "\"\(path)\" does not exist and \"\(ancestor)\" is not writable"
    }
}
