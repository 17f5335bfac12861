import Prometheus

extension RegistryMetrics {
    /// Pre-registers the sync series at 0 (called when the sync extension is on).
    public func registerSyncSeries(upstreams: [String]) {
        _ = registry.makeCounter(descriptor: Self.syncCacheHits)
        _ = registry.makeCounter(descriptor: Self.syncCacheMisses)
        for kind in ["manifest", "blob"] {
            _ = registry.makeCounter(descriptor: Self.syncFetches, labels: [("kind", kind)])
            _ = registry.makeCounter(descriptor: Self.syncBytes, labels: [("kind", kind)])
        }
        for upstream in upstreams {
            _ = registry.makeCounter(descriptor: Self.syncErrors, labels: [("upstream", upstream)])
        }
        for result in ["success", "failure"] {
            _ = registry.makeCounter(descriptor: Self.syncRuns, labels: [("result", result)])
        }
        _ = registry.makeCounter(descriptor: Self.syncImages)
    }

    /// Covered content served from storage.
    public func countSyncCacheHit() { registry.makeCounter(descriptor: Self.syncCacheHits).increment() }

    /// Covered content missing locally (an upstream fetch was attempted).
    public func countSyncCacheMiss() { registry.makeCounter(descriptor: Self.syncCacheMisses).increment() }

    /// A manifest or blob fetched from an upstream and stored.
    public func countSyncFetch(kind: String, bytes: Int64) {
        registry.makeCounter(descriptor: Self.syncFetches, labels: [("kind", kind)]).increment()
        registry.makeCounter(descriptor: Self.syncBytes, labels: [("kind", kind)]).increment(by: Int64(max(0, bytes)))
    }

    /// An upstream request that failed after its retries; `upstream` is a configured URL (a bounded set).
    public func countSyncUpstreamError(upstream: String) {
        registry.makeCounter(descriptor: Self.syncErrors, labels: [("upstream", upstream)]).increment()
    }

    /// A periodic sync run of one registry entry.
    public func countSyncRun(failed: Bool, images: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.syncRuns, labels: [("result", failed ? "failure" : "success")]).increment()
        registry.makeCounter(descriptor: Self.syncImages).increment(by: Int64(images))
        registry.makeGauge(descriptor: Self.syncRunSeconds).set(to: seconds)
    }

    private static var syncCacheHits: MetricNameDescriptor {
        name("sync_cache_hits", unit: "total", "Requests for content under an on-demand sync prefix answered from storage.")
    }
    private static var syncCacheMisses: MetricNameDescriptor {
        name("sync_cache_misses", unit: "total", "Requests for content under an on-demand sync prefix missing from storage.")
    }
    private static var syncFetches: MetricNameDescriptor {
        name("sync_upstream_fetches", unit: "total", "Manifests and blobs fetched from sync upstreams and stored, by kind.")
    }
    private static var syncBytes: MetricNameDescriptor {
        name("sync_upstream_bytes", unit: "total", "Bytes fetched from sync upstreams and stored, by kind.")
    }
    private static var syncErrors: MetricNameDescriptor {
        name("sync_upstream_errors", unit: "total", "Upstream requests that failed after their retries, by upstream URL.")
    }
    private static var syncRuns: MetricNameDescriptor {
        name("sync_periodic_runs", unit: "total", "Periodic sync runs of one registry entry, by result.")
    }
    private static var syncImages: MetricNameDescriptor {
        name("sync_periodic_images", unit: "total", "Images (tags) mirrored by periodic sync.")
    }
    private static var syncRunSeconds: MetricNameDescriptor {
        name("sync_periodic_last_run", unit: "seconds", "Duration of the last periodic sync run.")
    }
}
