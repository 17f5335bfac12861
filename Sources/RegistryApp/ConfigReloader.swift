import Foundation
import Logging
import RegistryAuth
import RegistryAuthCore
import RegistryConfig
import RegistryHTTP
import RegistryPolicy
import Synchronization
import UnixSignals

/// Live reload of the config file: watched (its contents compared about once a second) and on SIGHUP. A new
/// config is loaded and verified (the checks of `zot-authz verify`); if it fails, the old one stays in force. If it
/// passes, `accessControl`, `http.ratelimit`, `log.level`, the htpasswd path, the LDAP settings, the TLS certificate/key paths, storage retention/gcDelay and `extensions.sync` take
/// effect at once, for the next
/// request, without dropping connections. Options read only at start are named in the log as needing a restart.
/// Every attempt is logged and audited as `config-reload`, with the diff of the access rules.
final class ConfigReloader: Sendable {
    /// What a reload replaces.
    struct Targets: Sendable {
        var policies: Reloadable<AccessPolicy>
        var rateLimiters: Reloadable<RateLimiters>
        var levels: LogLevelControl
        var htpasswd: HtpasswdAuthenticator?
        /// The LDAP authenticator, replaced when `http.auth.ldap` changes.
        var ldap: SwitchableAuthenticator?
        var certificate: ServerCertificate?
        /// The storage settings GC reads each pass (retention, gcDelay).
        var storage: Reloadable<StorageConfig>?
        /// The sync extension, rebuilt when `extensions.sync` changes.
        var sync: SyncTarget?
        var audit: AuditTrail?
    }

    /// What rebuilding the sync services needs.
    struct SyncTarget: Sendable {
        let control: SyncControl
        let storage: any RegistryStorageBackend
        let audit: AuditTrail?
        let metrics: RegistryMetrics?
        let logger: Logger
    }

    /// The outcome of one attempt.
    enum Outcome: Sendable, Equatable {
        case unchanged
        case applied(ConfigReloadDiff)
        case refused([String])
    }

    let path: String
    private let targets: Targets
    private let logger: Logger
    private let state: LockedState

    init(path: String, config: ZotConfig, targets: Targets, logger: Logger) {
        self.path = path
        self.targets = targets
        self.logger = logger
        state = LockedState(config: config, contents: FileManager.default.contents(atPath: path))
    }

    /// Reloads when the file's contents differ from the last ones seen (a refused version is not retried until
    /// it changes again).
    func reloadIfChanged() -> Outcome {
        let contents = FileManager.default.contents(atPath: path)
        guard state.swapContents(contents) else { return .unchanged }
        return reload(trigger: "file changed")
    }

    /// Loads, verifies and applies the file now.
    @discardableResult
    func reload(trigger: String) -> Outcome {
        _ = state.swapContents(FileManager.default.contents(atPath: path))
        let new: ZotConfig
        do {
            new = try ConfigLoader.load(path: path)
        } catch {
            return refuse(error.problems.map { "\($0)" }, trigger: trigger)
        }
        let problems = RegistryService.preflight(new)
        guard problems.isEmpty else { return refuse(problems, trigger: trigger) }
        let policy: AccessPolicy, limiters: RateLimiters
        do {
            policy = try RegistryService.accessPolicy(new)
            limiters = try RegistryService.rateLimiters(new)
        } catch {
            return refuse(["\(error)"], trigger: trigger)
        }
        let old = state.config
        let diff = ConfigReloadDiff(old: old, new: new)
        if let newPath = new.http.auth?.htpasswd?.path, diff.applied.contains("http.auth.htpasswd.path"), let htpasswd = targets.htpasswd {
            do {
                try htpasswd.switchFile(to: newPath)
            } catch {
                return refuse(["http.auth.htpasswd.path: \(error)"], trigger: trigger)
            }
        }
        if diff.applied.contains("http.auth.ldap"), let settings = new.http.auth?.ldap, let ldap = targets.ldap {
            do throws(LDAPSetupError) {
                ldap.replace(with: try LDAPAuthenticator(config: LDAPSettings(settings), logger: logger))
            } catch {
                return refuse(["\(error.configPath): \(error)"], trigger: trigger)
            }
        }
        if diff.applied.contains("http.tls.cert/key"), let tls = new.http.tls, let cert = tls.cert, let key = tls.key,
           let certificate = targets.certificate {
            do {
                try certificate.switchFiles(certificatePath: cert, keyPath: key)
            } catch {
                return refuse(["http.tls: \(error)"], trigger: trigger)
            }
        }
        if diff.applied.contains("extensions.sync"), let sync = targets.sync {
            do {
                let services = try RegistryService.syncServices(new, storage: sync.storage, audit: sync.audit, metrics: sync.metrics,
                                                                logger: sync.logger)
                sync.control.replace(onDemand: services.onDemand, periodic: services.periodic)
            } catch {
                return refuse(["\(error)"], trigger: trigger)
            }
        }
        if diff.applied.contains("storage.retention"), let storage = targets.storage { storage.replace(with: new.storage) }
        targets.policies.replace(with: policy)
        if diff.applied.contains("http.ratelimit") { targets.rateLimiters.replace(with: limiters) }
        targets.levels.current = Logger.Level(zotLevel: new.log.level)
        state.config = new
        report(diff, trigger: trigger)
        return .applied(diff)
    }

    private func refuse(_ problems: [String], trigger: String) -> Outcome {
        logger.error("config reload refused; the running config stays in force", metadata: [
            "path": "\(path)", "trigger": "\(trigger)", "problems": .array(problems.map { .string($0) }),
        ])
        audit(result: .deny, reason: "refused: " + problems.joined(separator: "; "))
        return .refused(problems)
    }

    private func report(_ diff: ConfigReloadDiff, trigger: String) {
        logger.notice("config reloaded", metadata: [
            "path": "\(path)", "trigger": "\(trigger)",
            "accessRules": .array(diff.accessRules.map { .string($0) }), "applied": .array(diff.applied.map { .string($0) }),
        ])
        if !diff.needRestart.isEmpty {
            logger.warning("config changes that take effect only after a restart", metadata: [
                "options": .array(diff.needRestart.map { .string($0) }),
            ])
        }
        var reason = diff.accessRules.isEmpty ? "access rules unchanged" : "access rules: " + diff.accessRules.joined(separator: ", ")
        if !diff.needRestart.isEmpty { reason += "; needs restart: " + diff.needRestart.joined(separator: ", ") }
        audit(result: .allow, reason: reason)
    }

    private func audit(result: AuditEvent.Result, reason: String) {
        guard let trail = targets.audit else { return }
        let time = ISO8601DateFormatter().string(from: Date())
        trail.record(AuditEvent(time: time, requestId: "", clientIp: "", method: "", path: path, authMethod: "none",
                                result: result, reason: reason, event: "config-reload"))
    }
}

/// The reloader's mutable state behind a lock: the config in force and the file contents last seen.
private final class LockedState: Sendable {
    private struct Values: Sendable {
        var config: ZotConfig
        var contents: Data?
    }

    private let values: Mutex<Values>

    init(config: ZotConfig, contents: Data?) {
        values = Mutex(Values(config: config, contents: contents))
    }

    var config: ZotConfig {
        get { values.withLock { $0.config } }
        set { values.withLock { $0.config = newValue } }
    }

    /// Remembers `new`; whether it differs from what was remembered.
    func swapContents(_ new: Data?) -> Bool {
        values.withLock { values in
            defer { values.contents = new }
            return values.contents != new
        }
    }
}

extension ConfigReloader {
    /// Watches the file (about once a second) and SIGHUP until cancelled.
    func watch(interval: Duration = .seconds(1)) -> [Task<Void, Never>] {
        let poll = Task.detached(priority: .utility) { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                _ = reloadIfChanged()
            }
        }
        let hangup = Task.detached(priority: .utility) { [self] in
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                reload(trigger: "SIGHUP")
                if let certificate = targets.certificate {
                    RegistryService.report(certificate.reloadIfChanged(), logger: logger, audit: targets.audit)
                }
            }
        }
        return [poll, hangup]
    }
}
