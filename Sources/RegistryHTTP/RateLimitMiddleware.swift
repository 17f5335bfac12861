import Hummingbird
import HTTPTypes
import RegistryAuth
import RegistryCore

/// First stage of the pipeline: resolves the client address (X-Forwarded-For only from trusted
/// proxies) and applies the per-client token buckets; over the limit → 429 `TOOMANYREQUESTS`
/// with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let limiter: RateLimiter?
    let resolver: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let forwarded = request.headers[values: .xForwardedFor]
        context.clientAddress = resolver.resolve(peerAddress: context.clientAddress, forwardedFor: forwarded)
        if let limiter {
            try Self.enforce(limiter, key: "ip:" + context.clientAddress, method: request.method.rawValue, context: context)
        }
        return try await next(request, context)
    }

    /// Throws a 429 when `key` is over its budget.
    static func enforce(_ limiter: RateLimiter, key: String, method: String, context: Context) throws {
        let decision = limiter.check(client: key, method: method)
        if let retryAfter = decision.retryAfterHeaderSeconds {
            context.logger.notice("rate limited", metadata: ["client": "\(context.clientAddress)", "key": "\(key)"])
            throw RegistryHTTPError(RegistryError(.tooManyRequests, detail: "retry after \(retryAfter) s"),
                                    headers: [.retryAfterHeader: String(retryAfter)])
        }
    }
}
