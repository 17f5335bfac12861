import Prometheus
import Synchronization

/// The series Zot exports (`pkg/extensions/monitoring`), with Zot's names, types, labels and buckets, so a Zot
/// dashboard and Zot alerts keep working. They sit beside the `zot_authz_` series in the same registry.
///
/// Per-repository series (`repo` label) are bounded by a ``RepositorySeriesLimit``.
final class ZotCompatibleMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    let repositories: RepositorySeriesLimit
    /// The `zot_repo_storage_bytes` gauges last set, by label (those of vanished repositories are removed).
    private let storageGauges = Mutex<[String: Gauge]>([:])

    /// `zot_http_repo_latency_seconds{repo}`: Zot's summary of request latency by repository (`N/A` for requests
    /// that name none), bounded like the other `repo` series.
    let repoLatency = PrometheusSummary(name: "zot_http_repo_latency_seconds", help: "Latency of serving HTTP requests", labelName: "repo")
    /// `zot_gc_duration_seconds`: Zot's summary of garbage-collection pass durations.
    let gcDuration = PrometheusSummary(name: "zot_gc_duration_seconds", help: "Duration of garbage collection runs")

    /// Zot's `GetDefaultBuckets()`, for `zot_http_method_latency_seconds`.
    static let methodLatencyBuckets: [Duration] = seconds([0.05, 0.5, 1, 5, 30, 60, 600])
    /// Zot's `GetStorageLatencyBuckets()`, for `zot_storage_lock_latency_seconds`.
    static let lockLatencyBuckets: [Duration] = seconds([0.001, 0.01, 0.1, 1, 5, 10, 15, 30, 60])

    init(registry: PrometheusCollectorRegistry, build: ServerBuildInfo, repositorySeriesLimit: Int) {
        self.registry = registry
        repositories = RepositorySeriesLimit(limit: repositorySeriesLimit)
        // Zot sets this gauge to 0; its labels carry the information.
        registry.makeGauge(descriptor: Self.info, labels: [
            ("commit", build.commit), ("binaryType", build.binaryType), ("goVersion", build.swiftVersion), ("version", build.version),
        ]).set(to: 0.0)
        // Zot creates these at the first pass that removes something; here they read 0 before that.
        for failed in ["false", "true"] { _ = registry.makeCounter(descriptor: Self.gcRuns, labels: [("error", failed)]) }
        for type in ["blob", "manifest", "upload"] { _ = registry.makeCounter(descriptor: Self.gcDeleted, labels: [("type", type)]) }
    }

    /// One finished request (Zot leaves out requests for the metrics path itself); `repository` is the one its path
    /// names (Zot: `/v2/<repo>/blobs|tags|manifests/…`), or `nil`.
    func countRequest(method: String, status: Int, duration: Duration, repository: String?) {
        registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("code", String(status))]).increment()
        repoLatency.observe(duration, label: repository.map(repositories.label) ?? "N/A")
        registry.makeDurationHistogram(descriptor: Self.methodLatency, labels: [("method", method)],
                                       buckets: Self.methodLatencyBuckets).record(duration)
    }

    /// A manifest served (Zot counts a download per manifest fetched).
    func countDownload(_ repository: String) {
        registry.makeCounter(descriptor: Self.downloads, labels: [("repo", repositories.label(repository))]).increment()
    }

    /// A manifest stored (Zot counts an upload per manifest pushed).
    func countUpload(_ repository: String) {
        registry.makeCounter(descriptor: Self.uploads, labels: [("repo", repositories.label(repository))]).increment()
    }

    /// How long an `index.json` lock of the store at `storageName` (its root directory) was waited for and held.
    /// Zot's `lockType` is `RLock` or `RWLock`; zot-authz only takes exclusive locks.
    func observeLock(storageName: String, duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.lockLatency, labels: [("storageName", storageName), ("lockType", "RWLock")],
                                       buckets: Self.lockLatencyBuckets).record(duration)
    }

    /// Sets `zot_repo_storage_bytes` from a measurement: repositories beyond the limit are summed under `_other`,
    /// series of repositories that no longer exist are removed.
    func setRepositoryBytes(_ bytes: [String: Int64]) {
        var byLabel: [String: Int64] = [:]
        // Largest first, so that when names are admitted here the biggest repositories get their own series.
        for (name, size) in bytes.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            byLabel[repositories.label(name), default: 0] += size
        }
        storageGauges.withLock { gauges in
            for (label, gauge) in gauges where byLabel[label] == nil {
                registry.unregisterGauge(gauge)
                gauges[label] = nil
            }
            for (label, size) in byLabel {
                let gauge = gauges[label] ?? registry.makeGauge(descriptor: Self.repoStorage, labels: [("repo", label)])
                gauge.set(size)
                gauges[label] = gauge
            }
        }
    }

    /// One garbage-collection pass of one store, and what it removed (`type`: `blob`, `upload`).
    func countGarbageCollection(failed: Bool, deleted: [String: Int], duration: Duration?) {
        if let duration { gcDuration.observe(duration) }
        registry.makeCounter(descriptor: Self.gcRuns, labels: [("error", failed ? "true" : "false")]).increment()
        for (type, count) in deleted where count > 0 {
            registry.makeCounter(descriptor: Self.gcDeleted, labels: [("type", type)]).increment(by: Int64(count))
        }
    }

    /// The summaries' text, for the end of the exposition.
    func summaryExposition() -> String {
        repoLatency.exposition() + gcDuration.exposition()
    }

    // MARK: Names (Zot's, in namespace `zot`)

    private static func seconds(_ values: [Double]) -> [Duration] {
        values.map { Duration.microseconds(Int64(($0 * 1_000_000).rounded())) }
    }

    private static func name(_ metricName: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "zot", metricName: metricName, unitName: unit, helpText: help)
    }

    private static var requests: MetricNameDescriptor { name("http_requests", unit: "total", "Total number of http request in zot") }
    private static var methodLatency: MetricNameDescriptor {
        name("http_method_latency", unit: "seconds", "Latency of serving HTTP requests")
    }
    private static var downloads: MetricNameDescriptor {
        name("repo_downloads", unit: "total", "Total number times an image was downloaded")
    }
    private static var uploads: MetricNameDescriptor { name("repo_uploads", unit: "total", "Total number times an image was uploaded") }
    private static var repoStorage: MetricNameDescriptor { name("repo_storage", unit: "bytes", "Storage used per zot repo") }
    private static var info: MetricNameDescriptor { name("info", unit: "", "Server general information") }
    private static var lockLatency: MetricNameDescriptor {
        name("storage_lock_latency", unit: "seconds", "Time from asking for a storage lock until releasing it")
    }
    private static var gcRuns: MetricNameDescriptor { name("gc_runs", unit: "total", "Total number of garbage collection runs") }
    private static var gcDeleted: MetricNameDescriptor {
        name("gc_deleted", unit: "total", "Total number of items deleted by garbage collection")
    }
}
