import Foundation
import Logging
import RegistryConfig
import RegistryCore
import RegistryPolicy
import RegistryRetention
@testable import RegistryApp
@testable import RegistryHTTP
import Testing

@Suite("Config reload")
struct ConfigReloadTests {
    static func config(_ root: String, bobActions: String, rate: String? = nil, level: String = "info", port: Int = 5000) -> String {
        let ratelimit = rate.map { ",\"ratelimit\":{\"rate\":\($0)}" } ?? ""
        return """
        {"storage":{"rootDirectory":\(JSONText.quote(root))},
         "http":{"address":"127.0.0.1","port":\(port)\(ratelimit),
                 "accessControl":{"repositories":{"team/**":{"policies":[{"users":["bob"],"actions":\(bobActions)}]}}}},
         "log":{"level":"\(level)"}}
        """
    }

    static func reloader(_ directory: TemporaryDirectory, _ text: String) throws -> (ConfigReloader, ConfigReloader.Targets, String) {
        let path = directory.path + "/config.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: path)
        let targets = ConfigReloader.Targets(policies: Reloadable(try RegistryService.accessPolicy(config)),
                                             rateLimiters: Reloadable(RateLimiters()), levels: LogLevelControl(.info),
                                             htpasswd: nil, audit: nil)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return (ConfigReloader(path: path, config: config, targets: targets, logger: logger), targets, path)
    }

    static let bob = Identity(username: "bob", method: .htpasswd)
    static let repository = RepositoryName("team/app")!

    @Test("An edited accessControl replaces the policy the pipeline reads, with the access-rule diff reported")
    func editReplacesThePolicy() throws {
        let directory = try TemporaryDirectory()
        let root = directory.path + "/storage"
        let (reloader, targets, path) = try Self.reloader(directory, Self.config(root, bobActions: #"["read"]"#))
        #expect(!targets.policies.value.decide(Self.bob, AccessRequirement(Self.repository, .create)).allowed)
        #expect(reloader.reloadIfChanged() == .unchanged)
        try Self.config(root, bobActions: #"["read","create"]"#, rate: "5", level: "debug").write(toFile: path, atomically: true, encoding: .utf8)
        guard case .applied(let diff) = reloader.reloadIfChanged() else { Issue.record("not applied"); return }
        #expect(diff.accessRules == ["~ team/**"])
        #expect(diff.applied == ["http.accessControl", "http.ratelimit", "log.level"])
        #expect(diff.needRestart.isEmpty)
        #expect(targets.policies.value.decide(Self.bob, AccessRequirement(Self.repository, .create)).allowed)
        #expect(targets.rateLimiters.value.address != nil)
        #expect(targets.levels.current == .debug)
    }

    @Test("A config that fails to load is refused, the old policy stays, and it is not retried until it changes")
    func brokenEditIsRefused() throws {
        let directory = try TemporaryDirectory()
        let root = directory.path + "/storage"
        let (reloader, targets, path) = try Self.reloader(directory, Self.config(root, bobActions: #"["read","create"]"#))
        try "{\"storage\": {\"rootDirectory\": []}}".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .refused(let problems) = reloader.reloadIfChanged() else { Issue.record("not refused"); return }
        #expect(problems.contains { $0.contains("storage.rootDirectory") })
        #expect(reloader.reloadIfChanged() == .unchanged)
        #expect(targets.policies.value.decide(Self.bob, AccessRequirement(Self.repository, .create)).allowed)
    }

    @Test("Options read only at start are named as needing a restart, and nothing else changes")
    func restartOnlyOptionsAreNamed() throws {
        let directory = try TemporaryDirectory()
        let root = directory.path + "/storage"
        let (reloader, _, path) = try Self.reloader(directory, Self.config(root, bobActions: #"["read"]"#))
        try Self.config(root, bobActions: #"["read"]"#, port: 5001).write(toFile: path, atomically: true, encoding: .utf8)
        guard case .applied(let diff) = reloader.reloadIfChanged() else { Issue.record("not applied"); return }
        #expect(diff.needRestart == ["http.port"])
        #expect(diff.accessRules.isEmpty && diff.applied.isEmpty)
    }

    @Test("The access-rule diff lists added, removed and changed patterns and the other sections")
    func accessRuleDiff() {
        let old = AccessControl(repositories: [RepositoryRules(pattern: "a/**", defaultPolicy: [.read]),
                                               RepositoryRules(pattern: "b/**", defaultPolicy: [.read])])
        let new = AccessControl(repositories: [RepositoryRules(pattern: "a/**", defaultPolicy: [.read, .create]),
                                               RepositoryRules(pattern: "c/**")],
                                adminPolicy: PolicyEntry(users: ["root"], actions: [.read]), metricsUsers: ["ops"])
        #expect(ConfigReloadDiff.accessRuleChanges(old, new) == ["- b/**", "~ a/**", "+ c/**", "~ adminPolicy", "~ metrics"])
        #expect(ConfigReloadDiff.accessRuleChanges(old, old).isEmpty)
        #expect(ConfigReloadDiff.accessRuleChanges(old, nil) == ["- accessControl"])
    }

    @Test("Other TLS certificate/key files are applied live; adding TLS, dropping it or changing the client CA needs a restart")
    func tlsFileChanges() {
        func diff(_ old: TLSConfig?, _ new: TLSConfig?) -> ConfigReloadDiff {
            var before = ZotConfig(storage: StorageConfig(rootDirectory: "/r")), after = before
            before.http.tls = old
            after.http.tls = new
            return ConfigReloadDiff(old: before, new: after)
        }
        let first = TLSConfig(cert: "/a.crt", key: "/a.key"), second = TLSConfig(cert: "/b.crt", key: "/b.key")
        #expect(diff(first, second).applied == ["http.tls.cert/key"])
        #expect(diff(first, second).needRestart.isEmpty)
        #expect(diff(nil, first).needRestart == ["http.tls"])
        #expect(diff(first, nil).needRestart == ["http.tls"])
        #expect(diff(first, TLSConfig(cert: "/b.crt", key: "/b.key", cacert: "/ca.crt")).needRestart == ["http.tls"])
        #expect(diff(first, first).isEmpty)
    }

    @Test("Retention and gcDelay edits (root or subPaths) are applied live; other storage edits need a restart")
    func storageChanges() {
        var before = ZotConfig(storage: StorageConfig(rootDirectory: "/r"))
        before.storage.subPaths["/a"] = StorageConfig(rootDirectory: "/a")
        var retention = before
        retention.storage.retention = RetentionSettings(dryRun: true, delay: 60)
        retention.storage.subPaths["/a"]?.gcDelaySeconds = 5
        #expect(ConfigReloadDiff(old: before, new: retention).applied == ["storage.retention"])
        #expect(ConfigReloadDiff(old: before, new: retention).needRestart.isEmpty)
        var root = retention
        root.storage.rootDirectory = "/elsewhere"
        #expect(ConfigReloadDiff(old: before, new: root).needRestart == ["storage"])
        #expect(!ConfigReloadDiff(old: before, new: root).applied.contains("storage.retention"))
    }

    @Test("An extensions.sync edit is applied live; other extension edits need a restart")
    func syncChanges() {
        let before = ZotConfig(storage: StorageConfig(rootDirectory: "/r"))
        var sync = before
        sync.extensions.sync = SyncConfig()
        #expect(ConfigReloadDiff(old: before, new: sync).applied == ["extensions.sync"])
        #expect(ConfigReloadDiff(old: before, new: sync).needRestart.isEmpty)
        var metrics = before
        metrics.extensions.metrics = MetricsExtensionConfig()
        #expect(ConfigReloadDiff(old: before, new: metrics).needRestart == ["extensions"])
    }

    @Test("Changed LDAP settings are applied live; adding or removing LDAP needs a restart")
    func ldapChanges() {
        func diff(_ old: LDAPConfig?, _ new: LDAPConfig?) -> ConfigReloadDiff {
            var before = ZotConfig(storage: StorageConfig(rootDirectory: "/r")), after = before
            before.http.auth = AuthConfig(ldap: old)
            after.http.auth = AuthConfig(ldap: new)
            return ConfigReloadDiff(old: before, new: after)
        }
        let directory = LDAPConfig(address: "ldap.test", baseDN: "ou=people,dc=test", userAttribute: "uid"),
            other = LDAPConfig(address: "ldap2.test", baseDN: "ou=people,dc=test", userAttribute: "uid")
        #expect(diff(directory, other).applied == ["http.auth.ldap"])
        #expect(diff(directory, other).needRestart.isEmpty)
        #expect(diff(nil, directory).needRestart == ["http.auth.ldap"])
        #expect(diff(directory, nil).needRestart == ["http.auth.ldap"])
    }
}

@Suite("Preflight storage root")
struct PreflightStorageRootTests {
    @Test("A one-character relative storage root is checked without crashing (Foundation traps on it)")
    func shortRelativeRootDoesNotCrash() {
        #expect(RegistryService.parentDirectory("7") == "")
        #expect(RegistryService.parentDirectory("/7") == "/")
        #expect(RegistryService.parentDirectory("/a/b/") == "/a")
        _ = RegistryService.storageRootProblem("7")
    }
}
