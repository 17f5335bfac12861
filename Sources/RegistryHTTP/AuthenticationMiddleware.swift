import Hummingbird
import HTTPTypes
import NIOCore
import NIOSSL
import RegistryAuth
import RegistryAuthCore
import RegistryCore

/// Second stage: establishes the caller's identity with the authenticator chain. On failure it
/// waits `failDelay` (suspending only this request, never a thread) and answers 401 with the
/// Basic challenge. After success, the per-user rate limit applies.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let chain: AuthenticatorChain
    let failDelay: FailDelay
    let limiters: Reloadable<RateLimiters>
    /// Whether the TLS layer may present client certificates (read them only then).
    let readsPeerCertificates: Bool
    let audit: AuditRecorder
    /// Counts outcomes (`nil` when metrics are disabled).
    var metrics: RegistryMetrics?
    /// Failed logins per attempted user name, across addresses (`nil`: not limited).
    var loginBudget: LoginFailureBudget?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if request.method == .options { return try await next(request, context) }
        let authenticationRequest = AuthenticationRequest(
            authorizationHeaders: request.headers[values: .authorization],
            peerCertificateDER: readsPeerCertificates ? await Self.peerCertificate(context.channel) : nil,
            cookieHeaders: request.headers[values: .cookie])
        let attemptedName = Self.basicUsername(authenticationRequest)
        if let loginBudget, let attemptedName {
            try LoginThrottle.enforce(loginBudget, name: attemptedName, request: request, context: context, audit: audit, metrics: metrics)
        }
        do {
            context.identity = try await chain.authenticate(authenticationRequest)
        } catch {
            if error.kind == .invalidCredentials, let attemptedName { loginBudget?.recordFailure(for: attemptedName) }
            context.logger.notice("authentication failed", metadata: [
                "client": "\(context.clientAddress)", "reason": "\(error.kind.rawValue)",
            ])
            // The attempted user name (never the password) and the kind of credential tried.
            let attemptedUser = authenticationRequest.authorizationHeader.flatMap { try? BasicCredentials.parse(header: $0) }?.username
            audit.record(request, context, result: .authFailure, reason: error.kind.rawValue,
                         attempt: (attemptedUser, authenticationRequest.presentedCredentialKind))
            metrics?.countAuthentication(method: authenticationRequest.presentedCredentialKind, success: false, reason: error.kind.rawValue)
            if error.kind == .backendUnavailable {
                throw RegistryError(.unavailable, detail: "authentication backend unavailable")
            }
            await failDelay.apply(for: error)
            throw RegistryError(.unauthorized, detail: "authentication failed")
        }
        metrics?.countAuthentication(method: context.identity.method.rawValue, success: true, reason: nil)
        if let attemptedName, context.identity.username == attemptedName { loginBudget?.recordSuccess(for: attemptedName) }
        if let userLimiter = limiters.value.user, let user = context.identity.username {
            try RateLimitMiddleware.enforce(userLimiter, key: "user:" + user, request: request, context: context, audit: audit, metrics: metrics)
        }
        return try await next(request, context)
    }

    /// The user name of a single well-formed Basic `Authorization` header (the name whose budget a failure spends).
    static func basicUsername(_ request: AuthenticationRequest) -> String? {
        guard let header = request.authorizationHeader else { return nil }
        return (try? BasicCredentials.parse(header: header))?.username
    }

    /// The verified client certificate of the connection (HTTP/2 streams ask their parent).
    static func peerCertificate(_ channel: any Channel) async -> [UInt8]? {
        for candidate in [channel, channel.parent].compactMap({ $0 }) {
            if let certificate = try? await candidate.nioSSL_peerCertificate().get() {
                return try? certificate.toDERBytes()
            }
        }
        return nil
    }
}
