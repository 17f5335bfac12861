import Foundation
import Logging
import RegistryCore
import RegistryHTTP
import RegistryPolicy
import RegistrySync

/// What the sync extension does, turned into audit events (`event: "sync-fetch"`: who triggered, upstream, digest,
/// bytes), logs and metrics. Upstream credentials never reach any of them: only URLs, names and digests do.
struct SyncActivity: SyncObserver {
    let audit: AuditTrail?
    let metrics: RegistryMetrics?
    let logger: Logger

    func fetched(_ fetch: UpstreamFetch) {
        metrics?.countSyncFetch(kind: fetch.kind.rawValue, bytes: fetch.bytes)
        logger.info("fetched from upstream", metadata: [
            "upstream": "\(fetch.upstream)", "upstreamRepository": "\(fetch.upstreamRepository)", "repository": "\(fetch.repository)",
            "kind": "\(fetch.kind.rawValue)", "digest": "\(fetch.digest)", "bytes": "\(fetch.bytes)",
            "requester": "\(fetch.requester.map { $0.username ?? "anonymous" } ?? "periodic sync")"])
        guard let audit else { return }
        let requester = fetch.requester
        let path = "/v2/\(fetch.repository)/\(fetch.kind == .blob ? "blobs" : "manifests")/\(fetch.digest)"
        audit.record(AuditEvent(
            time: ISO8601DateFormatter().string(from: Date()), requestId: "", clientIp: "", method: "GET", path: path,
            repository: fetch.repository, action: "read", user: requester?.username, groups: requester?.groups,
            authMethod: requester.map { $0.method.rawValue } ?? "none", result: .allow,
            reason: "upstream \(fetch.upstream) repository \(fetch.upstreamRepository) digest \(fetch.digest) bytes \(fetch.bytes)"
                + (requester == nil ? " (periodic sync)" : ""),
            event: "sync-fetch"))
    }

    func upstreamFailed(upstream: String, repository: String, reason: String) {
        metrics?.countSyncUpstreamError(upstream: upstream)
    }

    func cacheHit(repository: String) { metrics?.countSyncCacheHit() }

    func cacheMiss(repository: String) { metrics?.countSyncCacheMiss() }

    func periodicRun(upstream: String, images: Int, failures: Int, seconds: Double) {
        metrics?.countSyncRun(failed: failures > 0, images: images, seconds: seconds)
    }
}
