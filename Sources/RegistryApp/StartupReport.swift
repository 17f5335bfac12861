import RegistryConfig
import RegistryCore
import RegistryPolicy

/// What `serve` says when it starts: one line each for the listener, the authentication chain, the access rules,
/// the storage and the extensions; then a warning for every setting that is accepted but not acted on, and when
/// anonymous users can write. `verify` prints the same warnings.
public struct StartupReport: Sendable {
    /// One line of the report.
    public struct Line: Sendable, Equatable {
        /// `info` or `warning`.
        public var isWarning: Bool
        public var message: String
    }

    /// The lines, in order.
    public let lines: [Line]

    /// The report for `config` and its `policy`.
    public init(config: ZotConfig, policy: AccessPolicy) {
        var lines: [Line] = []
        func info(_ text: String) { lines.append(Line(isWarning: false, message: text)) }
        func warn(_ text: String) { lines.append(Line(isWarning: true, message: text)) }
        let http = config.http
        let scheme = http.tls?.cert != nil ? "https" : "http"
        let host = http.address.contains(":") ? "[\(http.address)]" : http.address
        var tls = http.tls?.cert != nil ? "TLS 1.2+" : "no TLS"
        if http.tls?.cacert != nil { tls += config.requiresClientCertificate ? ", client certificate required" : ", client certificate verified when presented" }
        info("listening on \(scheme)://\(host):\(http.port) (\(tls))")
        let methods = config.authenticationMethods
        info("authentication: " + (methods.isEmpty ? "none (every request is anonymous)" : methods.joined(separator: " → ")))
        if let service = http.auth?.tokenService, service.enable {
            info("token service: /auth/token issues \(service.lifetimeSeconds)s tokens for service \(http.realm); 401s challenge Bearer")
        } else if let bearer = http.auth?.bearer, bearer.cert != nil {
            info("token server: tokens from \(bearer.realm ?? "?") for service \(bearer.service ?? "?"), access ∩ accessControl; 401s challenge Bearer")
        }
        if let engine = policy.engine {
            let control = engine.accessControl
            info("access rules: \(control.repositories.count) repository pattern\(control.repositories.count == 1 ? "" : "s")"
                 + (control.adminPolicy != nil ? " and an adminPolicy" : ""))
        } else {
            info(methods.isEmpty ? "access rules: none — no accessControl and no authentication: everyone may do everything"
                                 : "access rules: none — no accessControl: every authenticated user may do everything")
        }
        if let s3 = config.storage.s3Driver {
            info("storage: \(s3) (metadata in \(config.storage.rootDirectory))")
        } else {
            info("storage: \(config.storage.rootDirectory) (filesystem)")
        }
        for (route, sub) in config.storage.subPaths.sorted(by: { $0.key < $1.key }) {
            info("storage for \(route): " + (sub.s3Driver.map { "\($0)" } ?? "\(sub.rootDirectory) (filesystem)"))
        }
        if config.storage.gc {
            let retention = config.storage.retention
            info("gc: every \(config.storage.gcInterval ?? "1h"), blobs unreferenced for \(config.storage.gcDelay ?? "1h")"
                 + (config.storage.gcTimeWindow.map { ", starting within \($0) UTC" } ?? "")
                 + "; retention: \(retention.policies.count) polic\(retention.policies.count == 1 ? "y" : "ies")"
                 + (retention.dryRun ? " (dryRun: decisions are logged and audited, nothing is deleted)" : ""))
        }
        var extensions: [String] = []
        if let metrics = config.extensions.metrics, metrics.enable { extensions.append("metrics at \(metrics.path)") }
        if config.extensions.ui?.enable == true {
            if config.http.auth == nil {
                warn("extensions.ui: the web console is not served: it signs people in, and no http.auth method is configured")
            } else {
                extensions.append("web console at /")
            }
        }
        if let sync = config.extensions.sync, sync.enable, !sync.registries.isEmpty {
            let onDemand = sync.registries.filter(\.onDemand).count, periodic = sync.registries.filter { $0.pollIntervalSeconds != nil }.count
            extensions.append("sync (\(sync.registries.count) registries: \(onDemand) on demand, \(periodic) periodic)")
        }
        if let scrub = config.extensions.scrub, scrub.enable { extensions.append("scrub every \(scrub.interval)") }
        if let lint = config.extensions.lint, lint.enable, !lint.mandatoryAnnotations.isEmpty {
            extensions.append("lint (\(lint.mandatoryAnnotations.joined(separator: ", ")))")
        }
        info("extensions: " + (extensions.isEmpty ? "none" : extensions.joined(separator: ", ")))
        if let lint = config.extensions.lint, lint.enable, lint.mandatoryAnnotations.isEmpty {
            warn("extensions.lint is enabled without mandatoryAnnotations: nothing is checked (as in Zot)")
        }
        if let writable = Self.anonymousWrites(policy) { warn("anonymous users can write: \(writable)") }
        for notice in config.notices { warn("\(notice)") }
        if config.http.auth?.openid?.providers["github"] != nil {
            warn("http.auth.openid.providers.github: not served — GitHub is OAuth 2 without OpenID Connect ID tokens, so a login could not be verified")
        }
        self.lines = lines
    }

    /// Where anonymous callers may create, update or delete, or `nil` when nowhere.
    static func anonymousWrites(_ policy: AccessPolicy) -> String? {
        guard let engine = policy.engine else {
            return policy.authentication.isConfigured ? nil : "no authentication and no accessControl (every repository)"
        }
        let writes: Set<RegistryAction> = [.create, .update, .delete]
        let patterns = engine.accessControl.repositories.filter { !writes.isDisjoint(with: $0.anonymousPolicy) }.map(\.pattern)
        return patterns.isEmpty ? nil : "anonymousPolicy grants writes on " + patterns.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
