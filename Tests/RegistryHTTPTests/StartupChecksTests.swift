import Foundation
@testable import RegistryApp
import RegistryConfig
import RegistryCore
import RegistryPolicy
import Testing

/// `verify` catches what `serve` refuses at startup, and both say what is accepted but not acted on.
@Suite("Startup checks and report")
struct StartupChecksTests {
    static func config(_ directory: TemporaryDirectory, http: String = "", storage: String? = nil, extensions: String = "{}") throws -> ZotConfig {
        let root = storage ?? directory.path + "/store"
        let json = """
        {"storage": {"rootDirectory": \(JSONText.quote(root))},
         "http": {"address": "127.0.0.1", "port": 5000\(http.isEmpty ? "" : ", " + http)}, "extensions": \(extensions)}
        """
        return try ConfigLoader.parse(json, format: .json)
    }

    @Test("A valid config passes the startup checks without creating its storage root")
    func validConfigPasses() throws {
        let directory = try TemporaryDirectory()
        let config = try Self.config(directory)
        #expect(RegistryService.preflight(config) == [])
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/store"), "verify must not write anything")
    }

    @Test("A storage root that is a file, or below an unwritable place, is refused with its path")
    func unusableStorageRoot() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/not-a-dir"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let problems = RegistryService.preflight(try Self.config(directory, storage: file))
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("storage.rootDirectory: ") == true && problems.first?.contains("not a directory") == true)
        let below = RegistryService.preflight(try Self.config(directory, storage: file + "/store"))
        #expect(below.first?.contains("is not a directory") == true)
    }

    @Test("Invalid TLS files are caught before serve would fail on them")
    func invalidTLSFiles() throws {
        let directory = try TemporaryDirectory()
        let cert = directory.path + "/server.crt"
        let key = directory.path + "/server.key"
        try "not a certificate".write(toFile: cert, atomically: true, encoding: .utf8)
        try "not a key".write(toFile: key, atomically: true, encoding: .utf8)
        let problems = RegistryService.preflight(try Self.config(directory, http: #""tls": {"cert": "\#(cert)", "key": "\#(key)"}"#))
        #expect(problems.contains { $0.hasPrefix("http.tls:") }, "\(problems)")
    }

    @Test("A session keys file with a too-short hashKey is caught")
    func shortHashKey() throws {
        let directory = try TemporaryDirectory()
        let htpasswd = directory.path + "/htpasswd"
        try writeHtpasswd([("alice", "pw")], to: htpasswd)
        let keys = directory.path + "/session-keys.json"
        try #"{"hashKey": "short", "encryptKey": "0123456789abcdef0123456789abcdef"}"#.write(toFile: keys, atomically: true, encoding: .utf8)
        let http = #""auth": {"htpasswd": {"path": "\#(htpasswd)"}, "sessionKeysFile": "\#(keys)"}"#
        let problems = RegistryService.preflight(try Self.config(directory, http: http))
        #expect(problems.contains { $0.hasPrefix("http.auth.sessionKeysFile:") }, "\(problems)")
    }

    @Test("The report names the listener, the chain in order, rules, storage and extensions, and warns about anonymous writes and ignored sections")
    func reportLines() throws {
        let directory = try TemporaryDirectory()
        let htpasswd = directory.path + "/htpasswd"
        try writeHtpasswd([("alice", "pw")], to: htpasswd)
        let http = #""auth": {"htpasswd": {"path": "\#(htpasswd)"}, "apikey": true}, "accessControl": {"repositories": {"pub/**": {"anonymousPolicy": ["read", "create"]}}}"#
        let config = try Self.config(directory, http: http, extensions: #"{"search": {"enable": true}}"#)
        let report = StartupReport(config: config, policy: try RegistryService.accessPolicy(config))
        let info = report.lines.filter { !$0.isWarning }.map(\.message)
        let warnings = report.lines.filter(\.isWarning).map(\.message)
        #expect(info.first == "listening on http://127.0.0.1:5000 (no TLS)")
        #expect(info.contains("authentication: htpasswd → apikey"))
        #expect(info.contains("access rules: 1 repository pattern"))
        #expect(info.contains { $0.hasPrefix("storage: ") })
        #expect(info.contains("extensions: none"))
        #expect(warnings.contains("anonymous users can write: anonymousPolicy grants writes on \"pub/**\""))
        #expect(warnings.contains { $0.contains("extensions.search") && $0.contains("not implemented") }, "\(warnings)")
    }

    @Test("Zot's keypath: \"\" (as in its config-openid.json example) is accepted as absent")
    func emptyKeyPathAccepted() throws {
        let directory = try TemporaryDirectory()
        let http = #""auth": {"openid": {"providers": {"oidc": {"issuer": "https://idp.example", "clientid": "c", "keypath": ""}}}}"#
        let config = try Self.config(directory, http: http)
        #expect(config.http.auth?.openid?.providers["oidc"]?.keyPath == nil)
        #expect(!config.notices.contains { $0.path.contains("keypath") || $0.path.contains("keyPath") })
    }
}
