import Foundation
import Logging
import RegistryConfig
import RegistryHTTP
import RegistryMetadata
import RegistryPolicy
import RegistryRetention
import RegistryStorage

extension RegistryService {
    /// How often buffered push/pull activity is written to the metadata database.
    static let activityFlushInterval: TimeInterval = 5

    /// Push/pull recording (in the metadata database) and `extensions.lint`.
    static func configureHygiene(_ options: inout RegistryServerOptions, config: ZotConfig, metadata: MetadataStore) {
        options.activity = ActivityRecorder(store: SQLiteActivityStore(store: metadata))
        let retention = !config.storage.retention.policies.isEmpty || config.storage.subPaths.values.contains { !$0.retention.policies.isEmpty }
        options.metrics?.metrics.registerHygieneSeries(scrub: config.extensions.scrub?.enable == true, retention: retention)
        if let lint = config.extensions.lint, lint.enable, !lint.mandatoryAnnotations.isEmpty {
            options.linter = ManifestLinter(mandatoryAnnotations: lint.mandatoryAnnotations)
        }
    }

    /// Background work besides GC: flushing recorded activity.
    static func backgroundHygiene(_ options: RegistryServerOptions, config: ZotConfig, logger: Logger) -> [Task<Void, Never>] {
        var tasks: [Task<Void, Never>] = []
        if let activity = options.activity {
            tasks.append(activity.run(every: activityFlushInterval) { error in
                logger.warning("push/pull activity not written yet (kept for the next flush)", metadata: ["error": "\(error)"])
            })
        }
        if let scrub = config.extensions.scrub, scrub.enable {
            let stores = HygieneCommands.stores(options.storage, config.storage)
            tasks.append(scrubbing(stores.map { ($0.0, $0.1) }, every: scrub.intervalSeconds, metrics: options.metrics?.metrics,
                                   audit: options.audit, logger: logger))
        }
        return tasks
    }

    /// `extensions.scrub`: a read-only integrity pass over every store every `interval`; each problem is logged (error),
    /// audited (`event: scrub-problem`) and counted (`zot_authz_scrub_problems_total`, `zot_authz_scrub_last_problems`).
    static func scrubbing(_ stores: [(String, LayoutStorage)], every interval: TimeInterval, metrics: RegistryMetrics?, audit: AuditTrail?,
                          logger: Logger) -> Task<Void, Never> {
        Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                let clock = ContinuousClock(), started = clock.now
                var problems = 0
                for (key, store) in stores {
                    do {
                        let report = try await Scrubber(storage: store).scrub()
                        problems += report.problems.count
                        logger.info("scrub finished", metadata: ["store": "\(key)", "repositories": "\(report.repositories)",
                                                                "blobs": "\(report.blobsChecked)", "problems": "\(report.problems.count)"])
                        for problem in report.problems {
                            logger.error("scrub: \(problem.kind.rawValue) blob", metadata: [
                                "module": "scrub", "repository": "\(problem.repository)", "digest": "\(problem.digest)",
                                "images": "\(problem.images.joined(separator: ","))", "reason": "\(problem.message)",
                            ])
                            audit?.record(AuditEvent(time: AuditTrail.timestamp(), requestId: "scrub", clientIp: "", method: "GET",
                                                     path: "/v2/\(problem.repository)/blobs/\(problem.digest)", repository: problem.repository,
                                                     action: "read", authMethod: "scrub", result: .deny, rule: "extensions.scrub",
                                                     reason: "\(problem.kind.rawValue): \(problem.message); images: \(problem.images.joined(separator: ", "))",
                                                     event: "scrub-problem"))
                        }
                    } catch {
                        logger.error("scrub failed", metadata: ["store": "\(key)", "error": "\(error)"])
                    }
                }
                metrics?.observeScrub(duration: clock.now - started, problems: problems)
            }
        }
    }
}
