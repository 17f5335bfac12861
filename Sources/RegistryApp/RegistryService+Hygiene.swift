import Foundation
import Logging
import RegistryConfig
import RegistryHTTP
import RegistryMetadata
import RegistryRetention
import RegistryStorage

extension RegistryService {
    /// How often buffered push/pull activity is written to the metadata database.
    static let activityFlushInterval: TimeInterval = 5

    /// Push/pull recording (in the metadata database) and `extensions.lint`.
    static func configureHygiene(_ options: inout RegistryServerOptions, config: ZotConfig, metadata: MetadataStore) {
        options.activity = ActivityRecorder(store: SQLiteActivityStore(store: metadata))
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
        return tasks
    }
}
