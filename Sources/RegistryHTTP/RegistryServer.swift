import Hummingbird
import HummingbirdCore
import NIOCore
import HummingbirdTLS
import Logging
import NIOSSL
import RegistryAuth
import RegistryAuthCore
import RegistryCore
import RegistryRetention
import RegistryPolicy
import RegistryStorage

/// Everything the HTTP layer needs to run a registry, independent of how it was configured.
public struct RegistryServerOptions: Sendable {
    public var address: String
    public var port: Int
    public var realm: String
    /// The `WWW-Authenticate` challenge of every 401 (default `Basic realm="<realm>"`).
    public var challenge: AuthenticationChallenge
    public var storage: any RegistryStorageBackend
    /// The one answer to every access question (repositories, admin, metrics, catalog); replaced by a config reload.
    public let policies: Reloadable<AccessPolicy>
    /// The current policy.
    public var policy: AccessPolicy {
        get { policies.value }
        nonmutating set { policies.replace(with: newValue) }
    }
    public var tls: TLSConfiguration?
    /// The web console (`extensions.ui`); served when set and browser sessions are available (`account.sessions`).
    public var console: ConsoleOptions?
    /// The certificate pair `tls` serves, reloaded when its files change (``ServerCertificate``).
    public var serverCertificate: ServerCertificate?
    public var logger: Logger
    /// Authentication: the chain, the delay after a failure, and whether TLS client certificates are read.
    public var authenticators: AuthenticatorChain = AuthenticatorChain([])
    public var failDelay: FailDelay = FailDelay(seconds: 0)
    public var readsPeerCertificates = false
    /// Rate limits keyed by client address and by authenticated user (`nil` when not configured); a reload replaces them.
    public let rateLimiters = Reloadable<RateLimiters>(RateLimiters())
    /// The current per-address limiter.
    public var addressLimiter: RateLimiter? {
        get { rateLimiters.value.address }
        nonmutating set { rateLimiters.replace(with: RateLimiters(address: newValue, user: rateLimiters.value.user)) }
    }
    /// The current per-user limiter.
    public var userLimiter: RateLimiter? {
        get { rateLimiters.value.user }
        nonmutating set { rateLimiters.replace(with: RateLimiters(address: rateLimiters.value.address, user: newValue)) }
    }
    /// Failed logins per attempted user name, across addresses (README: security); `nil` turns it off.
    public var loginFailureBudget: LoginFailureBudget? = LoginFailureBudget()
    /// Caps on open blob upload sessions (README: security); `nil` turns them off.
    public var uploadSessionLimits: UploadSessionLimits? = UploadSessionLimits()
    /// Where authentication and authorization decisions are recorded (`log.audit`).
    public var audit: AuditTrail?
    /// How long a connection may stay silent (before a request, or mid-body) before it is closed.
    public var idleTimeout: TimeAmount = .seconds(30)
    /// Zot's `http.readTimeout` / `http.writeTimeout`: longest time from a request's head until its body has been
    /// read / its response written; the connection is closed then (`nil`: no limit).
    public var readTimeout: TimeAmount?
    /// See ``readTimeout``.
    public var writeTimeout: TimeAmount?
    /// The requests being served (for the shutdown drain).
    public var inFlight = InFlightRequests()
    public var addressResolver: ClientAddressResolver = try! ClientAddressResolver(trustedProxies: [])
    /// `extensions.metrics`: Prometheus metrics and who may read them (`nil` when disabled: nothing is counted).
    public var metrics: MetricsEndpointOptions?
    /// OIDC login, browser sessions and API keys (`nil` when none is configured).
    public var account: AccountServices?
    /// The built-in token service (`http.auth.tokenService`), `nil` when off.
    public var tokenService: TokenServiceOptions?
    /// `/livez`, `/readyz`, `/startupz`.
    public var health: HealthChecks = .alwaysReady
    /// Push/pull recording for retention (`nil`: not recorded).
    public var activity: ActivityRecorder?
    /// `extensions.lint` (`nil`: off).
    public var linter: ManifestLinter?
    /// The sync extension's pull-through cache, when an `onDemand` registry is configured.
    public var pullThrough: (any PullThroughSource)?
    /// Long-running work started with the server and cancelled when it stops (the periodic sync).
    public var backgroundWork: [@Sendable () async -> Void] = []

    public init(address: String, port: Int, realm: String, storage: any RegistryStorageBackend, policy: AccessPolicy,
                tls: TLSConfiguration? = nil, logger: Logger) {
        self.address = address
        self.port = port
        self.realm = realm
        self.challenge = AuthenticationChallenge(realm: realm)
        self.storage = storage
        policies = Reloadable(policy)
        self.tls = tls
        self.logger = logger
    }
}

/// The per-address and per-user rate limiters (`http.ratelimit`), replaced together by a reload.
public struct RateLimiters: Sendable {
    public var address: RateLimiter?
    public var user: RateLimiter?

    public init(address: RateLimiter? = nil, user: RateLimiter? = nil) {
        self.address = address
        self.user = user
    }
}

/// How many blob upload sessions may be open at once, and when an unfinished one stops counting.
public struct UploadSessionLimits: Sendable, Hashable {
    /// Per user name (anonymous callers: per client address).
    public var perUser: Int
    /// Per repository.
    public var perRepository: Int
    /// Seconds after which an unfinished session no longer counts (`storage.gcDelay`, when GC removes it).
    public var abandonAfter: Double

    public init(perUser: Int = 128, perRepository: Int = 256, abandonAfter: Double = 3600) {
        self.perUser = perUser
        self.perRepository = perRepository
        self.abandonAfter = abandonAfter
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
        router.add(middleware: InFlightMiddleware(requests: options.inFlight))
        router.add(middleware: EndpointParsingMiddleware())
        let recorder = AuditRecorder(trail: options.audit)
        let metrics = options.metrics?.metrics
        if let metrics {
            router.add(middleware: RequestMetricsMiddleware(metrics: metrics, metricsPath: options.metrics?.path))
        }
        // Probes come before rate limiting and authentication: never behind auth.
        options.health.register(on: router)
        let challenge = options.challenge
        router.addMiddleware {
            APIVersionMiddleware()
            ErrorRenderingMiddleware(challenge: challenge)
            RateLimitMiddleware(limiters: options.rateLimiters, resolver: options.addressResolver, audit: recorder, metrics: metrics)
            AuthenticationMiddleware(chain: options.authenticators, failDelay: options.failDelay,
                                     limiters: options.rateLimiters, readsPeerCertificates: options.readsPeerCertificates,
                                     audit: recorder, metrics: metrics, loginBudget: options.loginFailureBudget)
            BrowserOriginMiddleware(externalOrigin: options.account?.externalOrigin, audit: recorder)
        }
        if let metricsOptions = options.metrics {
            let endpoint = MetricsEndpoint(options: metricsOptions, policies: options.policies, audit: recorder)
            router.get(RouterPath(metricsOptions.path)) { request, context in try await endpoint.respond(request, context: context) }
        }
        if var tokenService = options.tokenService {
            tokenService.loginBudget = options.loginFailureBudget
            TokenServiceRoutes(options: tokenService, policies: options.policies, audit: recorder).register(on: router)
        }
        if let account = options.account {
            let console = options.console.flatMap { console in
                account.sessions.map { sessions in
                    ConsoleRoutes(services: account, sessions: sessions, options: console, storage: options.storage, policies: options.policies,
                                  audit: recorder, loginBudget: options.loginFailureBudget, activity: options.activity?.store)
                }
            }
            AccountRoutes(services: account, audit: recorder).register(on: router)
            AccountPages(services: account, audit: recorder, console: console).register(on: router)
            console?.register(on: router)
        }
        let registryRoutes = router.group().add(middleware: AuthorizationMiddleware(
            policies: options.policies, storage: options.storage, audit: recorder, metrics: metrics))
        let policies = options.policies
        var configuredHandlers = RegistryHandlers(storage: options.storage) { identity, repository in
            policies.value.canRead(identity, repository)
        }
        configuredHandlers.uploadSessions = options.uploadSessionLimits.map {
            OpenUploadSessions(perUser: $0.perUser, perRepository: $0.perRepository, abandonAfter: $0.abandonAfter)
        }
        configuredHandlers.activity = options.activity
        configuredHandlers.linter = options.linter
        configuredHandlers.pullThrough = options.pullThrough
        let handlers = configuredHandlers
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
        // Ambiguous message framing (unknown transfer codings) is refused before routing: see TransferCodingGuard.
        // Zot's read/write timeouts bound slow-drip clients (RequestTimeoutHandler).
        let readTimeout = options.readTimeout, writeTimeout = options.writeTimeout
        let http1 = HTTPServerBuilder.http1(configuration: .init(
            additionalChannelHandlers: readTimeout == nil && writeTimeout == nil ? [TransferCodingGuard()]
                : [TransferCodingGuard(), RequestTimeoutHandler(readTimeout: readTimeout, writeTimeout: writeTimeout)],
            idleTimeout: options.idleTimeout))
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

/// Adds `Docker-Distribution-API-Version` to every response. It runs outside ``ErrorRenderingMiddleware``, which
/// turns every error into a response, so error responses carry the header too.
struct APIVersionMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.dockerDistributionAPIVersion] = "registry/2.0"
        return response
    }
}
