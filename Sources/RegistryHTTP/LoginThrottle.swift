import Hummingbird
import RegistryAuth
import RegistryCore

/// Refuses a login attempt for a user name whose failure budget is spent: 429 `TOOMANYREQUESTS` with
/// `Retry-After`, audited as `rate-limited`, without checking the credentials.
enum LoginThrottle {
    static func enforce(_ budget: LoginFailureBudget, name: String, request: Request, context: RegistryRequestContext,
                        audit: AuditRecorder, metrics: RegistryMetrics?) throws {
        guard let wait = budget.retryAfter(for: name) else { return }
        let seconds = max(1, Int(wait.rounded(.up)))
        let shown = String(name.prefix(64))
        context.logger.notice("login throttled", metadata: ["client": "\(context.clientAddress)", "user": "\(shown)"])
        audit.record(request, context, result: .rateLimited, reason: "too many failed logins for user '\(shown)'")
        metrics?.countRateLimited(scope: "login")
        throw RegistryHTTPError(
            RegistryError(.tooManyRequests, message: "too many failed logins for user \(shown); retry after \(seconds) s",
                          detail: "per-user-name login failure budget"),
            headers: [.retryAfterHeader: String(seconds)])
    }
}
