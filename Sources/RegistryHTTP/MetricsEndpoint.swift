import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import RegistryConfig
import RegistryCore

/// `extensions.metrics` at run time: where the metrics are served, who may read them, and the metrics.
public struct MetricsEndpointOptions: Sendable {
    /// The URL path (`extensions.metrics.prometheus.path`, default `/metrics`).
    public var path: String
    /// Who may read them.
    public var access: MetricsAccessPolicy
    /// This server's metrics.
    public var metrics: RegistryMetrics
    /// Measures the stored bytes (through the storage layer) for the storage size gauge (`nil`: no gauge).
    public var storageSize: (@Sendable () async -> Int64)?

    /// Creates the options with a fresh metrics registry.
    public init(path: String = "/metrics", access: MetricsAccessPolicy, metrics: RegistryMetrics = RegistryMetrics(),
                storageSize: (@Sendable () async -> Int64)? = nil) {
        self.path = path
        self.access = access
        self.metrics = metrics
        self.storageSize = storageSize
    }
}

/// Serves `GET <path>` in the Prometheus text format to callers the metrics access policy allows. It runs
/// after rate limiting and authentication but not repository authorization; its decision is audited.
struct MetricsEndpoint: Sendable {
    let options: MetricsEndpointOptions
    let realm: String
    let audit: AuditRecorder
    let storageSize: StorageSizeCache?

    init(options: MetricsEndpointOptions, realm: String, audit: AuditRecorder) {
        self.options = options
        self.realm = realm
        self.audit = audit
        storageSize = options.storageSize.map { StorageSizeCache(measure: $0) }
    }

    func respond(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let verdict = options.access.decide(context.identity)
        audit.record(request, context, result: verdict.allowed ? .allow : .deny, rule: verdict.rule, breakGlass: verdict.breakGlass)
        guard verdict.allowed else {
            options.metrics.countDenial(action: "metrics")
            context.logger.info("metrics access denied", metadata: ["identity": "\(context.identity)", "rule": "\(verdict.rule)"])
            if context.identity.isAnonymous {
                throw RegistryHTTPError.unauthorized(realm: realm, detail: "reading metrics requires authentication")
            }
            throw RegistryError(.denied, detail: "reading metrics is not granted")
        }
        if verdict.breakGlass {
            context.logger.notice("admin break-glass grant", metadata: ["identity": "\(context.identity)", "rule": "\(verdict.rule)"])
        }
        if let storageSize {
            options.metrics.setStorageBytes(await storageSize.bytes())
        }
        let body = ByteBuffer(string: options.metrics.exposition())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: body))
    }
}

extension RegistryService {
    /// `extensions.metrics` with `http.accessControl.metrics`, or `nil` when metrics are off.
    static func metricsEndpoint(_ config: ZotConfig, authenticationConfigured: Bool, logger: Logger) throws -> MetricsEndpointOptions? {
        guard let metrics = config.extensions.metrics, metrics.enable else { return nil }
        if metrics.path == "/v2" || metrics.path.hasPrefix("/v2/") {
            throw StartupError(description: "extensions.metrics.prometheus.path: \"\(metrics.path)\" is inside the registry API (/v2)")
        }
        let accessControl = config.http.accessControl
        if let accessControl, accessControl.metricsUsers.isEmpty, !accessControl.metricsAnonymousRead {
            logger.warning("accessControl.metrics lists no users and no anonymous read: only adminPolicy users may read metrics",
                           metadata: ["path": "\(metrics.path)"])
        }
        return MetricsEndpointOptions(path: metrics.path,
                                      access: MetricsAccessPolicy(accessControl: accessControl, authenticationConfigured: authenticationConfigured))
    }
}
