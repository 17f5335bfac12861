import Hummingbird
import HTTPTypes
import RegistryAuth
import RegistryAuthCore
import RegistryCore

/// First stage of the pipeline: resolves the client address (X-Forwarded-For only from trusted
/// proxies) and applies the per-client token buckets; over the limit → 429 `TOOMANYREQUESTS`
/// with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let limiters: Reloadable<RateLimiters>
    let resolver: ClientAddressResolver
    let audit: AuditRecorder
    /// Counts refusals (`nil` when metrics are disabled).
    var metrics: RegistryMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let forwarded = request.headers[values: .xForwardedFor]
        context.clientAddress = resolver.resolve(peerAddress: context.clientAddress, forwardedFor: forwarded)
        if let limiter = limiters.value.address {
            try Self.enforce(limiter, key: "ip:" + context.clientAddress, request: request, context: context, audit: audit, metrics: metrics)
        }
        return try await next(request, context)
    }

    /// Throws a 429 when `key` is over its budget.
    static func enforce(_ limiter: RateLimiter, key: String, request: Request, context: Context, audit: AuditRecorder,
                        metrics: RegistryMetrics? = nil) throws {
        let decision = limiter.check(client: key, method: request.method.rawValue)
        if let retryAfter = decision.retryAfterHeaderSeconds {
            context.logger.notice("rate limited", metadata: ["client": "\(context.clientAddress)", "key": "\(key)"])
            audit.record(request, context, result: .rateLimited, reason: key.hasPrefix("user:") ? "per-user limit" : "per-address limit")
            metrics?.countRateLimited(scope: key.hasPrefix("user:") ? "user" : "address")
            throw RegistryHTTPError(RegistryError(.tooManyRequests, detail: "retry after \(retryAfter) s"),
                                    headers: [.retryAfterHeader: String(retryAfter)])
        }
    }
}
