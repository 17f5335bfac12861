import Logging
import RegistryConfig
import RegistryHTTP

extension RegistryService {
    /// `extensions.metrics` with `http.accessControl.metrics`, or `nil` when metrics are off.
    static func metricsEndpoint(_ config: ZotConfig, build: ServerBuildInfo = .unknown, logger: Logger) throws -> MetricsEndpointOptions? {
        guard let metrics = config.extensions.metrics, metrics.enable else { return nil }
        if metrics.path == "/v2" || metrics.path.hasPrefix("/v2/") {
            throw StartupError(description: "extensions.metrics.prometheus.path: \"\(metrics.path)\" is inside the registry API (/v2)")
        }
        let accessControl = config.http.accessControl
        if let accessControl, accessControl.metricsUsers.isEmpty, !accessControl.metricsAnonymousRead {
            logger.warning("accessControl.metrics lists no users and no anonymous read: only adminPolicy users may read metrics",
                           metadata: ["path": "\(metrics.path)"])
        }
        return MetricsEndpointOptions(path: metrics.path, metrics: RegistryMetrics(build: build))
    }
}

/// What the running binary is (`zot_info`); the CLI fills it from its stamped build facts.
public typealias ServerBuildInfo = RegistryHTTP.ServerBuildInfo
