import Hummingbird
import HummingbirdCore
import NIOCore
import HummingbirdTLS
import Logging
import NIOSSL
import RegistryAuth
import RegistryCore
import RegistryStorage

/// Everything the HTTP layer needs to run a registry, independent of how it was configured.
public struct RegistryServerOptions: Sendable {
    public var address: String
    public var port: Int
    public var realm: String
    public var storage: any RegistryStorageBackend
    public var decider: any AccessDecider
    /// Whether any authentication method is configured (anonymous `/v2/` is then challenged).
    public var authenticationConfigured: Bool
    public var tls: TLSConfiguration?
    public var logger: Logger
    /// Authentication: the chain, the delay after a failure, and whether TLS client certificates are read.
    public var authenticators: AuthenticatorChain = AuthenticatorChain([])
    public var failDelay: FailDelay = FailDelay(seconds: 0)
    public var readsPeerCertificates = false
    /// Rate limits keyed by client address and by authenticated user (`nil` when not configured).
    public var addressLimiter: RateLimiter?
    public var userLimiter: RateLimiter?
    /// Where authentication and authorization decisions are recorded (`log.audit`).
    public var audit: AuditTrail?
    /// How long a connection may stay silent (before a request, or mid-body) before it is closed.
    public var idleTimeout: TimeAmount = .seconds(30)
    public var addressResolver: ClientAddressResolver = try! ClientAddressResolver(trustedProxies: [])
    /// `extensions.metrics`: Prometheus metrics and who may read them (`nil` when disabled: nothing is counted).
    public var metrics: MetricsEndpointOptions?
    /// OIDC login, browser sessions and API keys (`nil` when none is configured).
    public var account: AccountServices?

    public init(address: String, port: Int, realm: String, storage: any RegistryStorageBackend, decider: any AccessDecider,
                authenticationConfigured: Bool, tls: TLSConfiguration? = nil, logger: Logger) {
        self.address = address
        self.port = port
        self.realm = realm
        self.storage = storage
        self.decider = decider
        self.authenticationConfigured = authenticationConfigured
        self.tls = tls
        self.logger = logger
    }
}

/// Builds the Hummingbird application.
///
/// Every route passes the common pipeline (metrics, error rendering, rate limit, authentication with
/// failDelay). The `/v2` routes additionally pass repository authorization; routes outside `/v2` (metrics,
/// and later `/zot/auth/...`) are added to the router directly and decide access themselves.
public enum RegistryServer {
    /// The router with the full pipeline (also used by in-process HTTP tests).
    public static func router(_ options: RegistryServerOptions) -> Router<RegistryRequestContext> {
        let router = Router(context: RegistryRequestContext.self)
        let recorder = AuditRecorder(trail: options.audit)
        let metrics = options.metrics?.metrics
        if let metrics {
            router.add(middleware: RequestMetricsMiddleware(metrics: metrics, metricsPath: options.metrics?.path))
        }
        router.addMiddleware {
            ErrorRenderingMiddleware(realm: options.realm)
            APIVersionMiddleware()
            RateLimitMiddleware(limiter: options.addressLimiter, resolver: options.addressResolver, audit: recorder, metrics: metrics)
            AuthenticationMiddleware(chain: options.authenticators, failDelay: options.failDelay, realm: options.realm,
                                     userLimiter: options.userLimiter, readsPeerCertificates: options.readsPeerCertificates,
                                     audit: recorder, metrics: metrics)
            BrowserOriginMiddleware(externalOrigin: options.account?.externalOrigin, audit: recorder)
        }
        if let metricsOptions = options.metrics {
            let endpoint = MetricsEndpoint(options: metricsOptions, realm: options.realm, audit: recorder)
            router.get(RouterPath(metricsOptions.path)) { request, context in try await endpoint.respond(request, context: context) }
        }
        if let account = options.account {
            AccountRoutes(services: account, audit: recorder).register(on: router)
            AccountPages(services: account, audit: recorder).register(on: router)
        }
        let registryRoutes = router.group().add(middleware: AuthorizationMiddleware(
            decider: options.decider, storage: options.storage, realm: options.realm,
            challengeAnonymousBase: options.authenticationConfigured, audit: recorder, metrics: metrics))
        let decider = options.decider
        let handlers = RegistryHandlers(storage: options.storage) { identity, repository in
            decider.decide(identity, AccessRequirement(repository, .read)).allowed
        }
        for method in [HTTPRequest.Method.get, .head, .put, .post, .patch, .delete] {
            registryRoutes.on("/v2", method: method) { request, context in try await handlers.respond(request, context: context) }
            registryRoutes.on("/v2/**", method: method) { request, context in try await handlers.respond(request, context: context) }
        }
        return router
    }

    /// Builds the application listening on the configured address.
    public static func application(_ options: RegistryServerOptions, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
        throws -> some ApplicationProtocol {
        let configuration = ApplicationConfiguration(address: .hostname(options.address, port: options.port), serverName: nil)
        // A connection that sends nothing (no TLS hello, no request, a stalled body) is closed after
        // `idleTimeout`, so idle sockets cannot pile up (slowloris) or hold up shutdown.
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: options.idleTimeout))
        let server: HTTPServerBuilder
        if let tls = options.tls {
            server = try .tls(http1, tlsConfiguration: tls)
        } else {
            server = http1
        }
        return Application(router: router(options), server: server, configuration: configuration,
                           onServerRunning: onServerRunning, logger: options.logger)
    }
}

/// Adds `Docker-Distribution-API-Version` to every response, errors included.
struct APIVersionMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.dockerDistributionAPIVersion] = "registry/2.0"
            return response
        } catch let error as RegistryHTTPError {
            var headers = error.headers
            headers[.dockerDistributionAPIVersion] = "registry/2.0"
            throw RegistryHTTPError(error.error, headers: headers)
        } catch let error as RegistryError where error.code != .unauthorized {
            throw RegistryHTTPError(error, headers: [.dockerDistributionAPIVersion: "registry/2.0"])
        }
    }
}
