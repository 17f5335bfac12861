import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
import RegistryStorage
@testable import RegistryHTTP
import Testing

@Suite("Zot-compatible metrics")
struct ZotMetricsTests {
    @Test("A push and a pull show up in Zot's series: requests by method and code, method latency, repository downloads, uploads, storage and lock latency")
    func pushAndPullAreCountedInZotSeries() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            let image = TestImage(seed: "zot-metrics")
            try await client.pushImage("team/app", "v1", image, headers: authorization("alice"))
            for method in [HTTPRequest.Method.get, .head] {
                try await client.execute(uri: "/v2/team/app/manifests/v1", method: method, headers: authorization("bob")) {
                    #expect($0.status == .ok)
                }
            }
            try await client.execute(uri: "/v2/team/none/manifests/v1", method: .get, headers: authorization("bob")) {
                #expect($0.status == .notFound)
            }
            let samples = try await client.scrape()
            #expect(samples[#"zot_http_requests_total{method="PUT",code="201"}"#] == 3)
            #expect(samples[#"zot_http_requests_total{method="GET",code="404"}"#] == 1)
            #expect(samples[#"zot_http_method_latency_seconds_count{method="PUT"}"#] == 3)
            #expect(samples[#"zot_http_method_latency_seconds_bucket{method="PUT",le="600.0"}"#] == 3)
            #expect(samples[#"zot_repo_uploads_total{repo="team/app"}"#] == 1)
            #expect(samples[#"zot_repo_downloads_total{repo="team/app"}"#] == 2)
            #expect(samples[#"zot_repo_downloads_total{repo="team/none"}"#] == nil)
            let stored = try #require(samples[#"zot_repo_storage_bytes{repo="team/app"}"#])
            #expect(stored >= Double(image.config.count + image.layer.count + image.manifest.count))
            let locks = samples.filter { $0.key.hasPrefix("zot_storage_lock_latency_seconds_count{") && $0.key.contains(#"lockType="RWLock""#) }
            #expect(locks.values.reduce(0, +) >= 1)
        }
    }

    @Test("Scrapes of the metrics path are not counted in Zot's request series, as in Zot")
    func scrapesAreNotCountedInZotRequests() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            _ = try await client.scrape()
            let samples = try await client.scrape()
            #expect(samples.keys.contains { $0.hasPrefix("zot_http_requests_total") } == false)
            #expect(samples[#"zot_authz_http_requests_total{method="GET",route="metrics",status="200"}"#] == 1)
        }
    }

    @Test("zot_info carries the binary's commit, type, Swift version and version in Zot's labels")
    func infoCarriesTheBuild() {
        let build = ServerBuildInfo(version: "1.2.3", commit: "abc123", swiftVersion: "6.3")
        let samples = metricSamples(RegistryMetrics(build: build).exposition())
        #expect(samples[#"zot_info{commit="abc123",binaryType="zot-authz",goVersion="6.3",version="1.2.3"}"#] == 0)
    }

    @Test("Repositories beyond the series limit are counted under _other, and earlier ones keep their own series")
    func repositoriesBeyondTheLimitShareOneSeries() {
        let metrics = RegistryMetrics(repositorySeriesLimit: 2)
        for name in ["a", "b", "c", "d", "a"] { metrics.zot.countDownload(name) }
        metrics.zot.countUpload("e")
        let samples = metricSamples(metrics.exposition())
        #expect(samples[#"zot_repo_downloads_total{repo="a"}"#] == 2)
        #expect(samples[#"zot_repo_downloads_total{repo="b"}"#] == 1)
        #expect(samples[#"zot_repo_downloads_total{repo="_other"}"#] == 2)
        #expect(samples[#"zot_repo_uploads_total{repo="_other"}"#] == 1)
        #expect(samples.keys.filter { $0.hasPrefix("zot_repo_") }.count == 4)
    }

    @Test("Storage gauges sum repositories beyond the limit and drop repositories that are gone")
    func storageGaugesAreBoundedAndFollowDeletions() {
        let metrics = RegistryMetrics(repositorySeriesLimit: 2)
        metrics.setStorageUsage(StorageUsage(totalBytes: 60, repositoryBytes: ["big": 30, "mid": 20, "s1": 6, "s2": 4]))
        var samples = metricSamples(metrics.exposition())
        #expect(samples[#"zot_repo_storage_bytes{repo="big"}"#] == 30)
        #expect(samples[#"zot_repo_storage_bytes{repo="mid"}"#] == 20)
        #expect(samples[#"zot_repo_storage_bytes{repo="_other"}"#] == 10)
        metrics.setStorageUsage(StorageUsage(totalBytes: 30, repositoryBytes: ["big": 30]))
        samples = metricSamples(metrics.exposition())
        #expect(samples[#"zot_repo_storage_bytes{repo="big"}"#] == 30)
        #expect(samples[#"zot_repo_storage_bytes{repo="mid"}"#] == nil)
        #expect(samples[#"zot_repo_storage_bytes{repo="_other"}"#] == nil)
    }

    @Test("Zot's latency histograms use Zot's buckets")
    func latencyHistogramsUseZotsBuckets() {
        let metrics = RegistryMetrics()
        metrics.zot.countRequest(method: "GET", status: 200, duration: .milliseconds(20), repository: "app")
        metrics.observeStorageLock(storageName: "/var/lib/zot", duration: .milliseconds(2))
        metrics.countGarbageCollection(failed: false, deleted: ["blob": 3, "upload": 0])
        let samples = metricSamples(metrics.exposition())
        for bound in ["0.05", "0.5", "1.0", "5.0", "30.0", "60.0", "600.0", "+Inf"] {
            #expect(samples[#"zot_http_method_latency_seconds_bucket{method="GET",le="\#(bound)"}"#] == 1, "bucket \(bound)")
        }
        #expect(samples[#"zot_storage_lock_latency_seconds_bucket{storageName="/var/lib/zot",lockType="RWLock",le="0.001"}"#] == 0)
        #expect(samples[#"zot_storage_lock_latency_seconds_bucket{storageName="/var/lib/zot",lockType="RWLock",le="0.01"}"#] == 1)
        #expect(samples[#"zot_gc_runs_total{error="false"}"#] == 1)
        #expect(samples[#"zot_gc_deleted_total{type="blob"}"#] == 3)
        #expect(samples[#"zot_gc_deleted_total{type="upload"}"#] == 0)
        #expect(samples[#"zot_gc_runs_total{error="true"}"#] == 0)
    }

    @Test("Zot's summaries export _sum and _count: repository latency by repo (N/A without one, bounded), GC duration")
    func summariesExportSumAndCount() {
        let metrics = RegistryMetrics(repositorySeriesLimit: 1)
        var samples = metricSamples(metrics.exposition())
        #expect(samples["zot_gc_duration_seconds_count"] == 0, "a summary without labels reads 0 before its first pass")
        metrics.zot.countRequest(method: "GET", status: 200, duration: .milliseconds(250), repository: "app")
        metrics.zot.countRequest(method: "HEAD", status: 200, duration: .milliseconds(750), repository: "app")
        metrics.zot.countRequest(method: "GET", status: 200, duration: .milliseconds(10), repository: nil)
        metrics.zot.countRequest(method: "GET", status: 200, duration: .milliseconds(10), repository: "other")
        metrics.countGarbageCollection(failed: false, deleted: [:], duration: .seconds(2))
        let text = metrics.exposition()
        samples = metricSamples(text)
        #expect(samples[#"zot_http_repo_latency_seconds_count{repo="app"}"#] == 2)
        #expect(samples[#"zot_http_repo_latency_seconds_sum{repo="app"}"#] == 1.0)
        #expect(samples[#"zot_http_repo_latency_seconds_count{repo="N/A"}"#] == 1)
        #expect(samples[#"zot_http_repo_latency_seconds_count{repo="_other"}"#] == 1)
        #expect(samples["zot_gc_duration_seconds_sum"] == 2.0)
        #expect(samples["zot_gc_duration_seconds_count"] == 1)
        #expect(text.contains("# TYPE zot_http_repo_latency_seconds summary\n"))
        #expect(text.contains("# TYPE zot_gc_duration_seconds summary\n"))
    }
}
