import Prometheus
import RegistryStorage

/// The registry's Prometheus metrics, owned by one server (never the process-global `MetricsSystem`, so
/// several servers in one process — as in tests — keep separate counts).
///
/// Our series are prefixed `zot_authz_`; label values come from small fixed sets (route templates, HTTP
/// methods, status codes, identity methods, failure kinds, actions), never from paths, repositories or users.
/// Beside them, ``ZotCompatibleMetrics`` exports Zot's own series (`zot_`), whose `repo` labels are bounded.
public final class RegistryMetrics: Sendable {
    /// Where a body's bytes belong.
    public enum BodyKind: String, Sendable, CaseIterable {
        case blob
        case manifest
    }

    /// The underlying collector registry (its text exposition is what `/metrics` serves).
    public let registry: PrometheusCollectorRegistry
    private let uploadCounters: [BodyKind: Counter]
    private let downloadCounters: [BodyKind: Counter]
    private let storageBytes: Gauge
    /// Zot's series, in the same registry.
    let zot: ZotCompatibleMetrics

    /// Latency buckets in seconds: API calls take milliseconds, large blob transfers minutes.
    static let latencyBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
        .map { Duration.milliseconds(Int64($0 * 1000)) }

    /// How many repositories get `repo` series of their own by default (the rest are summed under `_other`).
    public static let defaultRepositorySeriesLimit = 1000

    /// Creates the metrics in a fresh registry and pre-registers the series that should read 0 before any traffic.
    /// `build` fills `zot_info`; `repositorySeriesLimit` bounds the per-repository series.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), build: ServerBuildInfo = .unknown,
                repositorySeriesLimit: Int = defaultRepositorySeriesLimit) {
        self.registry = registry
        zot = ZotCompatibleMetrics(registry: registry, build: build, repositorySeriesLimit: repositorySeriesLimit)
        var uploads: [BodyKind: Counter] = [:]
        var downloads: [BodyKind: Counter] = [:]
        for kind in BodyKind.allCases {
            uploads[kind] = registry.makeCounter(descriptor: Self.uploadBytes, labels: [("kind", kind.rawValue)])
            downloads[kind] = registry.makeCounter(descriptor: Self.downloadBytes, labels: [("kind", kind.rawValue)])
        }
        uploadCounters = uploads
        downloadCounters = downloads
        storageBytes = registry.makeGauge(descriptor: Self.storageBytesDescriptor)
        registry.makeGauge(descriptor: Self.up).set(to: 1.0)
        for scope in ["address", "user"] {
            _ = registry.makeCounter(descriptor: Self.rateLimited, labels: [("scope", scope)])
        }
    }

    // MARK: Recording

    /// One finished request: its method, route template and response status.
    func countRequest(method: String, route: MetricsRoute, status: Int) {
        registry.makeCounter(descriptor: Self.requests,
                             labels: [("method", method), ("route", route.rawValue), ("status", String(status))]).increment()
    }

    /// How long a request took, from its arrival until its response body was written.
    func observeDuration(_ duration: Duration, method: String, route: MetricsRoute) {
        registry.makeDurationHistogram(descriptor: Self.requestDuration, labels: [("method", method), ("route", route.rawValue)],
                                       buckets: Self.latencyBuckets).record(duration)
    }

    /// An authentication outcome. `method` is the identity's method on success (`anonymous` when no
    /// credentials were presented) or the kind of credential presented on failure; `reason` is the failure kind.
    func countAuthentication(method: String, success: Bool, reason: String?) {
        registry.makeCounter(descriptor: Self.authentications, labels: [
            ("method", method), ("result", success ? "success" : "failure"), ("reason", reason ?? "none"),
        ]).increment()
    }

    /// A request refused by policy; `action` is `read`, `create`, `update`, `delete` or `metrics`.
    func countDenial(action: String) {
        registry.makeCounter(descriptor: Self.denials, labels: [("action", action)]).increment()
    }

    /// A request refused by a rate limit; `scope` is `address` or `user`.
    func countRateLimited(scope: String) {
        registry.makeCounter(descriptor: Self.rateLimited, labels: [("scope", scope)]).increment()
    }

    /// The counter of bytes received in `kind` bodies (pushes).
    func uploadCounter(_ kind: BodyKind) -> Counter? { uploadCounters[kind] }

    /// The counter of bytes sent in `kind` bodies (pulls).
    func downloadCounter(_ kind: BodyKind) -> Counter? { downloadCounters[kind] }

    /// Sets the storage size gauges: ours (the total) and Zot's per repository.
    func setStorageUsage(_ usage: StorageUsage) {
        storageBytes.set(usage.totalBytes)
        zot.setRepositoryBytes(usage.repositoryBytes)
    }

    /// How long a storage lock of the store rooted at `storageName` was waited for and held.
    public func observeStorageLock(storageName: String, duration: Duration) {
        zot.observeLock(storageName: storageName, duration: duration)
    }

    /// One garbage-collection pass, what it removed (`type` → count; Zot's types `blob`, `upload`) and how long it
    /// took (`zot_gc_duration_seconds`).
    public func countGarbageCollection(failed: Bool, deleted: [String: Int], duration: Duration? = nil) {
        zot.countGarbageCollection(failed: failed, deleted: deleted, duration: duration)
    }

    /// The Prometheus text exposition of every series.
    public func exposition() -> String {
        registry.emitToString() + zot.summaryExposition()
    }

    // MARK: Names

    static func name(_ metricName: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "zot_authz", metricName: metricName, unitName: unit, helpText: help)
    }

    private static var requests: MetricNameDescriptor {
        name("http_requests", unit: "total", "HTTP requests by method, route template and response status.")
    }
    private static var requestDuration: MetricNameDescriptor {
        name("http_request_duration", unit: "seconds", "Time from request arrival until the response body was written.")
    }
    private static var authentications: MetricNameDescriptor {
        name("authentications", unit: "total", "Authentication outcomes by method, result and failure reason.")
    }
    private static var denials: MetricNameDescriptor {
        name("policy_denials", unit: "total", "Requests refused by access control, by the action that was not granted.")
    }
    private static var rateLimited: MetricNameDescriptor {
        name("rate_limited_requests", unit: "total", "Requests refused with 429 by the per-address or per-user rate limit.")
    }
    private static var uploadBytes: MetricNameDescriptor {
        name("upload", unit: "bytes_total", "Bytes received in blob upload and manifest push bodies.")
    }
    private static var downloadBytes: MetricNameDescriptor {
        name("download", unit: "bytes_total", "Bytes sent in blob and manifest response bodies.")
    }
    private static var storageBytesDescriptor: MetricNameDescriptor {
        name("storage", unit: "bytes", "Bytes of all files under the storage root (recomputed at most every 30 s).")
    }
    private static var up: MetricNameDescriptor {
        name("up", unit: "", "1 while the registry is serving.")
    }
}
