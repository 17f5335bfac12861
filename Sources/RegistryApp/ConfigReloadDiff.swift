import RegistryConfig
import RegistryPolicy
import RegistryRetention

/// What a config reload changes: the access rules (as a diff for the log and the audit trail), the settings that
/// take effect live, and the settings that changed but only apply after a restart.
struct ConfigReloadDiff: Sendable, Equatable {
    /// One line per changed access rule: `+ team/**`, `- old/**`, `~ apps/*`, `~ adminPolicy`, `~ groups`, `~ metrics`.
    var accessRules: [String] = []
    /// Live settings that changed (`http.ratelimit`, `log.level`, `http.auth.htpasswd.path`, `http.auth.ldap`, `http.tls.cert/key`).
    var applied: [String] = []
    /// Settings that changed but are read only at start (listen address, TLS files, storage root, …).
    var needRestart: [String] = []

    var isEmpty: Bool { accessRules.isEmpty && applied.isEmpty && needRestart.isEmpty }

    init(old: ZotConfig, new: ZotConfig) {
        accessRules = Self.accessRuleChanges(old.http.accessControl, new.http.accessControl)
        if !accessRules.isEmpty { applied.append("http.accessControl") }
        if old.http.ratelimit != new.http.ratelimit { applied.append("http.ratelimit") }
        if old.log.level.lowercased() != new.log.level.lowercased() { applied.append("log.level") }
        if old.http.auth?.htpasswd?.path != new.http.auth?.htpasswd?.path {
            // Switching htpasswd on or off changes the authenticator chain itself.
            if old.http.auth?.htpasswd != nil && new.http.auth?.htpasswd != nil {
                applied.append("http.auth.htpasswd.path")
            } else {
                needRestart.append("http.auth.htpasswd")
            }
        }
        var oldTLS = old.http.tls, newTLS = new.http.tls
        if let before = oldTLS, let after = newTLS, before.cacert == after.cacert, after.cert != nil, after.key != nil,
           before.cert != after.cert || before.key != after.key {
            // Other certificate/key files: switched live (the listener stays TLS, the client CA stays).
            applied.append("http.tls.cert/key")
            oldTLS = after
            newTLS = after
        }
        if old.http.auth?.ldap != new.http.auth?.ldap {
            // New directory settings swap in a new LDAP client; switching LDAP on or off changes the chain itself.
            if old.http.auth?.ldap != nil && new.http.auth?.ldap != nil {
                applied.append("http.auth.ldap")
            } else {
                needRestart.append("http.auth.ldap")
            }
        }
        if old.storage != new.storage && Self.withoutLiveStorageSettings(old.storage) == Self.withoutLiveStorageSettings(new.storage) {
            // Only retention or gcDelay (of the root or a subPath) changed: GC reads them at its next pass.
            applied.append("storage.retention")
        }
        if old.extensions.sync != new.extensions.sync { applied.append("extensions.sync") }
        var oldAuth = old.http.auth, newAuth = new.http.auth
        oldAuth?.htpasswd = nil
        newAuth?.htpasswd = nil
        oldAuth?.ldap = nil
        newAuth?.ldap = nil
        let restartOnly: [(String, Bool)] = [
            ("http.address", old.http.address != new.http.address),
            ("http.port", old.http.port != new.http.port),
            ("http.realm", old.http.realm != new.http.realm),
            ("http.externalUrl", old.http.externalUrl != new.http.externalUrl),
            ("http.tls", oldTLS != newTLS),
            ("http.auth", oldAuth != newAuth),
            ("http.trustedProxies", old.http.trustedProxies != new.http.trustedProxies),
            ("http timeouts", old.http.timeouts != new.http.timeouts),
            ("storage", Self.withoutLiveStorageSettings(old.storage) != Self.withoutLiveStorageSettings(new.storage)),
            ("log.output", old.log.output != new.log.output),
            ("log.format", old.log.format != new.log.format),
            ("log.audit", old.log.audit != new.log.audit),
            ("extensions", Self.withoutSync(old.extensions) != Self.withoutSync(new.extensions)),
        ]
        needRestart += restartOnly.filter(\.1).map(\.0)
    }

    /// `extensions` without `sync`, which a reload rebuilds.
    static func withoutSync(_ extensions: ExtensionsConfig) -> ExtensionsConfig {
        var stripped = extensions
        stripped.sync = nil
        stripped.acceptedSections.removeAll { $0.lowercased() == "sync" }
        return stripped
    }

    /// `storage` without the settings GC reads at every pass (retention, gcDelay), for the restart comparison.
    static func withoutLiveStorageSettings(_ storage: StorageConfig) -> StorageConfig {
        var stripped = storage
        stripped.retention = RetentionSettings()
        stripped.gcDelay = nil
        stripped.gcDelaySeconds = nil
        stripped.subPaths = stripped.subPaths.mapValues(withoutLiveStorageSettings)
        return stripped
    }

    /// The rule-level differences between two `accessControl` sections, patterns in config order.
    static func accessRuleChanges(_ old: AccessControl?, _ new: AccessControl?) -> [String] {
        if old == new { return [] }
        guard let old, let new else { return [new == nil ? "- accessControl" : "+ accessControl"] }
        var lines: [String] = []
        let oldRules = Dictionary(old.repositories.map { ($0.pattern, $0) }, uniquingKeysWith: { first, _ in first })
        let newRules = Dictionary(new.repositories.map { ($0.pattern, $0) }, uniquingKeysWith: { first, _ in first })
        for rule in old.repositories where newRules[rule.pattern] == nil { lines.append("- \(rule.pattern)") }
        for rule in new.repositories {
            if let before = oldRules[rule.pattern] {
                if before != rule { lines.append("~ \(rule.pattern)") }
            } else {
                lines.append("+ \(rule.pattern)")
            }
        }
        if old.repositories.map(\.pattern) != new.repositories.map(\.pattern) && lines.isEmpty { lines.append("~ order of repositories") }
        if old.adminPolicy != new.adminPolicy { lines.append("~ adminPolicy") }
        if old.groups != new.groups { lines.append("~ groups") }
        if old.metricsUsers != new.metricsUsers || old.metricsAnonymousRead != new.metricsAnonymousRead { lines.append("~ metrics") }
        return lines
    }
}
