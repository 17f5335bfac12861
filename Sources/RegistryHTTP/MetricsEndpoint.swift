import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import RegistryCore
import RegistryPolicy
import RegistryStorage

/// `extensions.metrics` at run time: where the metrics are served, who may read them, and the metrics.
public struct MetricsEndpointOptions: Sendable {
    /// The URL path (`extensions.metrics.prometheus.path`, default `/metrics`).
    public var path: String
    /// This server's metrics.
    public var metrics: RegistryMetrics
    /// Measures the stored bytes (through the storage layer) for the storage size gauges (`nil`: no gauges).
    public var storageSize: (@Sendable () async -> StorageUsage)?

    /// Creates the options with a fresh metrics registry.
    public init(path: String = "/metrics", metrics: RegistryMetrics = RegistryMetrics(),
                storageSize: (@Sendable () async -> StorageUsage)? = nil) {
        self.path = path
        self.metrics = metrics
        self.storageSize = storageSize
    }
}

/// Serves `GET <path>` in the Prometheus text format to callers ``AccessPolicy/decideMetrics(_:)`` allows. It runs
/// after rate limiting and authentication but not repository authorization; its decision is audited.
struct MetricsEndpoint: Sendable {
    let options: MetricsEndpointOptions
    let policies: Reloadable<AccessPolicy>
    let audit: AuditRecorder
    let storageSize: StorageSizeCache?

    init(options: MetricsEndpointOptions, policies: Reloadable<AccessPolicy>, audit: AuditRecorder) {
        self.options = options
        self.policies = policies
        self.audit = audit
        storageSize = options.storageSize.map { StorageSizeCache(measure: $0) }
    }

    func respond(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let verdict = policies.value.decideMetrics(context.identity)
        audit.record(request, context, result: verdict.allowed ? .allow : .deny, rule: verdict.rule, breakGlass: verdict.breakGlass)
        guard verdict.allowed else {
            options.metrics.countDenial(action: "metrics")
            context.logger.info("metrics access denied", metadata: ["identity": "\(context.identity)", "rule": "\(verdict.rule)"])
            if context.identity.isAnonymous {
                throw RegistryError(.unauthorized, detail: "reading metrics requires authentication")
            }
            throw RegistryError(.denied, detail: "reading metrics is not granted")
        }
        if verdict.breakGlass {
            context.logger.notice("admin break-glass grant", metadata: ["identity": "\(context.identity)", "rule": "\(verdict.rule)"])
        }
        if let storageSize {
            options.metrics.setStorageUsage(await storageSize.usage())
        }
        let body = ByteBuffer(string: options.metrics.exposition())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: body))
    }
}
