import Prometheus

/// GC, retention and scrub series. Zot's own are `zot_gc_runs_total{error}`, `zot_gc_deleted_total{type}` and
/// `zot_gc_duration_seconds` (a summary, as in Zot: ``ZotCompatibleMetrics``); bytes reclaimed and scrub findings
/// have no Zot series and are ours.
extension RegistryMetrics {
    /// Default buckets for a GC or scrub pass (seconds).
    static let passBuckets: [Duration] = [0.01, 0.1, 1, 5, 30, 60, 300, 1800, 3600].map { Duration.milliseconds(Int64($0 * 1000)) }

    /// Pre-registers at 0 the series of the hygiene jobs that are configured, so dashboards and alerts see them
    /// before the first pass.
    public func registerHygieneSeries(scrub: Bool, retention: Bool) {
        _ = registry.makeCounter(descriptor: Self.name("gc_reclaimed", unit: "bytes_total", "Bytes of blobs deleted by garbage collection."))
        if scrub {
            _ = registry.makeCounter(descriptor: Self.name("scrub_runs", unit: "total", "Scrub passes run."))
            _ = registry.makeCounter(descriptor: Self.name("scrub_problems", unit: "total", "Corrupt or missing blobs and manifests found by scrub."))
            registry.makeGauge(descriptor: Self.name("scrub_last_problems", unit: "", "Problems found by the last scrub pass.")).set(Int64(0))
        }
        if retention {
            let descriptor = Self.name("retention_decisions", unit: "total", "Retention decisions on tags and untagged manifests.")
            for decision in ["keep", "delete"] {
                for mode in ["dry-run", "applied"] {
                    _ = registry.makeCounter(descriptor: descriptor, labels: [("decision", decision), ("mode", mode)])
                }
            }
        }
    }

    /// One GC pass of one store: how long it took and how many bytes it freed.
    public func observeGarbageCollection(duration: Duration, bytesReclaimed: Int64) {
        zot.gcDuration.observe(duration)
        registry.makeCounter(descriptor: Self.name("gc_reclaimed", unit: "bytes_total", "Bytes of blobs deleted by garbage collection."))
            .increment(by: bytesReclaimed)
    }

    /// Decisions retention made in one pass (`dryRun`: nothing was deleted).
    public func countRetention(kept: Int, deleted: Int, dryRun: Bool) {
        let mode = dryRun ? "dry-run" : "applied"
        let descriptor = Self.name("retention_decisions", unit: "total", "Retention decisions on tags and untagged manifests.")
        registry.makeCounter(descriptor: descriptor, labels: [("decision", "keep"), ("mode", mode)]).increment(by: Int64(kept))
        registry.makeCounter(descriptor: descriptor, labels: [("decision", "delete"), ("mode", mode)]).increment(by: Int64(deleted))
    }

    /// One scrub pass: how long it took and how many problems (corrupt or missing blobs) it found.
    public func observeScrub(duration: Duration, problems: Int) {
        registry.makeCounter(descriptor: Self.name("scrub_runs", unit: "total", "Scrub passes run.")).increment()
        registry.makeCounter(descriptor: Self.name("scrub_problems", unit: "total", "Corrupt or missing blobs and manifests found by scrub."))
            .increment(by: Int64(problems))
        registry.makeGauge(descriptor: Self.name("scrub_last_problems", unit: "", "Problems found by the last scrub pass.")).set(Int64(problems))
        registry.makeDurationHistogram(descriptor: Self.name("scrub_duration", unit: "seconds", "Duration of scrub passes."),
                                       buckets: Self.passBuckets).record(duration)
    }
}
