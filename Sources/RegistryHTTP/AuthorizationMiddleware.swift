import Hummingbird
import HTTPTypes
import Logging
import RegistryCore
import RegistryPolicy
import RegistryStorage

/// Authorizes every `/v2/` request before a handler runs: parses the endpoint and asks the ``AccessPolicy``
/// (which maps the request to actions, create vs update included). Anonymous callers that are denied get 401
/// with a challenge; authenticated ones get 403. It wraps only the `/v2` routes; routes outside `/v2`
/// (metrics, `/zot/auth/...`) decide access themselves.
/// A registry token that does not cover the request: rendered as 403 with a Bearer challenge carrying
/// `error="insufficient_scope"` and the scope the request needs (``ErrorRenderingMiddleware``).
struct InsufficientScope: Error {
    let error: RegistryError
}

struct AuthorizationMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    /// Read once per request: a reload in the middle of one never mixes two policies.
    let policies: Reloadable<AccessPolicy>
    let storage: any RegistryStorageBackend
    let audit: AuditRecorder
    /// Counts denials (`nil` when metrics are disabled).
    var metrics: RegistryMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let endpoint = try context.endpoint.get() else {
            return try await next(request, context)
        }
        let policy = policies.value
        // An anonymous registry token (issued to nobody in particular) passes `/v2/`: it was presented and verified.
        if endpoint == .base, !context.identity.presentedCredential, policy.challengesAnonymousBase {
            audit.record(request, context, result: .deny, rule: "authentication is configured: /v2/ challenges anonymous callers")
            throw RegistryError(.unauthorized)
        }
        var mountSource: RepositoryName?
        if case .startUpload = endpoint, request.uri.queryParameters.get("mount") != nil,
           let from = request.uri.queryParameters.get("from") {
            guard let source = RepositoryName(from) else { throw RegistryError(.nameInvalid, detail: "invalid mount source repository") }
            mountSource = source
        }
        // A PUT to an existing tag needs `update`, to a new one `create`: look the tag up first.
        var existingTag: (RepositoryName, String)?
        if request.method == .put, case .manifest(let repository, .tag(let tag)) = endpoint,
           try await storage.resolveTag(repository, tag) != nil {
            existingTag = (repository, tag)
        }
        let known = existingTag
        let authorization = policy.authorize(context.identity, endpoint: endpoint, method: request.method.rawValue,
                                             mountSource: mountSource) { repository, tag in
            known.map { $0.0 == repository && $0.1 == tag } ?? false
        }
        var context = context
        for (requirement, verdict) in authorization.checks {
            // A create-only user re-pushing to an existing tag: allowed through only as an identical re-push,
            // which the manifest handler accepts as a no-op (CI retries) and refuses otherwise.
            let repushOnly = verdict.allowed ? nil : identicalRepushMessage(policy, endpoint, request, requirement, context.identity)
            audit.record(request, context, result: verdict.allowed ? .allow : .deny, requirement: requirement,
                         rule: verdict.rule, breakGlass: verdict.breakGlass,
                         reason: repushOnly.map { _ in "update not granted: only an identical re-push is accepted (no-op)" })
            if let repushOnly {
                context.identicalRepushOnly = repushOnly
                continue
            }
            guard verdict.allowed else {
                metrics?.countDenial(action: requirement.action.rawValue)
                context.logger.info("access denied", metadata: [
                    "identity": "\(context.identity)", "need": "\(requirement)", "rule": "\(verdict.rule)",
                ])
                if context.identity.isAnonymous {
                    throw RegistryError(.unauthorized, detail: "\(requirement.action.rawValue) on \(requirement.repository) requires authentication")
                }
                if context.identity.method == .registryToken, verdict.outsideCredentialScope {
                    // RFC 6750 §3.1 insufficient_scope: 403 with a challenge naming the scope, so the client can ask
                    // the token service for a token that covers the request (oras-py retries a 403 with a new token).
                    throw InsufficientScope(error: RegistryError(
                        .denied, message: "the token's access does not cover \(requirement.action.rawValue) on \(requirement.repository)"))
                }
                throw RegistryError(.denied, message: Self.denialMessage(requirement, context.identity),
                                    detail: "\(requirement.action.rawValue) on \(requirement.repository) is not granted")
            }
            if verdict.breakGlass {
                context.logger.notice("admin break-glass grant", metadata: [
                    "identity": "\(context.identity)", "need": "\(requirement)", "rule": "\(verdict.rule)",
                ])
            }
        }
        if authorization.checks.isEmpty {
            audit.record(request, context, result: .allow, rule: "no repository permission needed")
        }
        context.tagMustBeNew = authorization.tagMustBeNew
        return try await next(request, context)
    }
}
