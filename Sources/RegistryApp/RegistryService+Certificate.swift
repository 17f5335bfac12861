import Foundation
import Logging
import RegistryHTTP
import RegistryPolicy

extension RegistryService {
    /// Checks the TLS certificate and key files about once a second (and at SIGHUP through the config reloader);
    /// a renewed pair is served from the next handshake on. Each reload or refusal is logged and audited as
    /// `tls-reload`.
    static func watchCertificate(_ certificate: ServerCertificate, logger: Logger, audit: AuditTrail?,
                                 interval: Duration = .seconds(1)) -> Task<Void, Never> {
        Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                report(certificate.reloadIfChanged(), logger: logger, audit: audit)
            }
        }
    }

    static func report(_ outcome: ServerCertificate.Outcome, logger: Logger, audit: AuditTrail?) {
        let result: AuditEvent.Result, reason: String
        switch outcome {
        case .unchanged:
            return
        case .reloaded(let subject):
            logger.notice("TLS certificate reloaded", metadata: ["certificate": "\(subject)"])
            (result, reason) = (.allow, "reloaded: \(subject)")
        case .refused(let problem):
            logger.error("TLS certificate files changed but cannot be used; the old certificate stays in force",
                         metadata: ["problem": "\(problem)"])
            (result, reason) = (.deny, "refused: \(problem)")
        }
        let time = ISO8601DateFormatter().string(from: Date())
        audit?.record(AuditEvent(time: time, requestId: "", clientIp: "", method: "", path: "", authMethod: "none",
                                 result: result, reason: reason, event: "tls-reload"))
    }
}
