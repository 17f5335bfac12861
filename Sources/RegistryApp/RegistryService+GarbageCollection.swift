import Foundation
import Logging
import RegistryConfig
import RegistryHTTP
import RegistryPolicy
import RegistryRetention
import RegistryStorage

extension RegistryService {
    /// The collector of one store: its `gcDelay`, its `retention`, and the activity the server records.
    static func garbageCollector(_ store: LayoutStorage, _ settings: StorageConfig, activity: (any ActivityStore)?) -> GarbageCollector {
        // Abandoned uploads go after gcDelay too (they no longer count against the open-session caps by then).
        let delay = settings.gcDelaySeconds ?? 3600
        return GarbageCollector(storage: store, delay: delay, uploadExpiry: delay, retention: settings.retention, activity: activity)
    }

    /// Starts `storage.gc` for one store: a pass every `gcInterval` (default 1 h), retention first, then what has
    /// been unreferenced for `gcDelay`. Passes run one at a time (the loop awaits each); a pass starts only inside
    /// `gcTimeWindow` when one is set. Every deletion is logged and audited with its rule; a dry run logs and audits
    /// what it would delete. `current` gives the store's settings in force: a config reload that edits `retention` or
    /// `gcDelay` applies from the next pass (the interval and window are read at start).
    static func garbageCollection(_ store: LayoutStorage, _ settings: StorageConfig, current: @escaping @Sendable () -> StorageConfig,
                                  metrics: RegistryMetrics?, activity: ActivityRecorder?, audit: AuditTrail?,
                                  logger: Logger) -> Task<Void, Never> {
        let interval = max(1, settings.gcIntervalSeconds ?? 3600)
        let window = settings.gcTimeWindow
        return Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                if let window, !window.contains(Date()) {
                    logger.debug("gc pass deferred: outside gcTimeWindow \(window)")
                    continue
                }
                try? await activity?.flush()
                let clock = ContinuousClock(), started = clock.now
                let report = await garbageCollector(store, current(), activity: activity?.store).collect()
                record(report, duration: clock.now - started, root: settings.rootDirectory, metrics: metrics, audit: audit, logger: logger)
            }
        }
    }

    /// Logs, audits and counts one pass.
    static func record(_ report: GarbageCollector.Report, duration: Duration, root: String, metrics: RegistryMetrics?,
                       audit: AuditTrail?, logger: Logger) {
        let kept = report.outcomes.reduce(0) { $0 + $1.decisions.filter { !$0.deleted }.count }
        let decided = report.outcomes.reduce(0) { $0 + $1.decisions.filter(\.deleted).count }
        // As Zot: a dry run counts as a run but deletes (and counts) nothing.
        let deleted = report.dryRun ? [:] : ["blob": report.blobsRemoved, "upload": report.uploadsRemoved, "manifest": report.manifestsRemoved]
        metrics?.countGarbageCollection(failed: !report.failures.isEmpty, deleted: deleted)
        metrics?.observeGarbageCollection(duration: duration, bytesReclaimed: report.dryRun ? 0 : report.bytesFreed)
        metrics?.countRetention(kept: kept, deleted: decided, dryRun: report.dryRun)
        for failure in report.failures {
            logger.error("gc: retention not applied (retried at the next pass)", metadata: ["module": "gc", "error": "\(failure)"])
        }
        for deletion in report.deletions {
            logger.info(report.dryRun ? "gc dry run: would delete" : "gc deleted", metadata: [
                "module": "gc", "dry-run": "\(report.dryRun)", "repository": "\(deletion.repository)", "kind": "\(deletion.kind.rawValue)",
                "reference": "\(deletion.reference)", "rule": "\(deletion.rule)", "reason": "\(deletion.reason)",
            ])
            audit?.record(auditEvent(deletion, dryRun: report.dryRun))
        }
        if !report.isEmpty {
            logger.info("storage garbage collected", metadata: [
                "root": "\(root)", "dry-run": "\(report.dryRun)", "tags": "\(report.tagsRemoved)", "manifests": "\(report.manifestsRemoved)",
                "blobs": "\(report.blobsRemoved)", "bytes": "\(report.bytesFreed)", "uploads": "\(report.uploadsRemoved)",
                "seconds": "\(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)",
            ])
        }
    }

    /// The audit line of one GC deletion: `event` `gc-delete` (or `gc-dry-run`), the rule and reason.
    static func auditEvent(_ deletion: GarbageCollector.Deletion, dryRun: Bool) -> AuditEvent {
        let path: String
        switch deletion.kind {
        case .tag, .manifest: path = "/v2/\(deletion.repository)/manifests/\(deletion.reference)"
        case .blob: path = "/v2/\(deletion.repository)/blobs/\(deletion.reference)"
        case .upload: path = "/v2/\(deletion.repository)/blobs/uploads/\(deletion.reference)"
        }
        return AuditEvent(time: AuditTrail.timestamp(), requestId: "gc", clientIp: "", method: "DELETE", path: path,
                          repository: deletion.repository, action: "delete", authMethod: "gc", result: .allow, rule: deletion.rule,
                          reason: deletion.reason, event: dryRun ? "gc-dry-run" : "gc-delete")
    }
}
