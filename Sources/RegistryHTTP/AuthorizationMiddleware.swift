import Hummingbird
import HTTPTypes
import Logging
import RegistryCore
import RegistryStorage

/// Authorizes every `/v2/` request before a handler runs: parses the endpoint, derives the
/// actions it needs (create vs update from whether the tag exists) and asks the policy.
/// Anonymous callers that are denied get 401 with a challenge; authenticated ones get 403.
/// It wraps only the `/v2` routes; routes outside `/v2` (metrics, `/zot/auth/...`) decide access themselves.
struct AuthorizationMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let decider: any AccessDecider
    let storage: any RegistryStorageBackend
    let realm: String
    /// Whether `/v2/` should challenge anonymous callers (any authentication configured).
    let challengeAnonymousBase: Bool
    let audit: AuditRecorder
    /// Counts denials (`nil` when metrics are disabled).
    var metrics: RegistryMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let endpoint = try RegistryEndpoint.parse(path: request.uri.path) else {
            return try await next(request, context)
        }
        if endpoint == .base, context.identity.isAnonymous, challengeAnonymousBase {
            audit.record(request, context, result: .deny, rule: "authentication is configured: /v2/ challenges anonymous callers")
            throw RegistryHTTPError.unauthorized(realm: realm)
        }
        var mountSource: RepositoryName?
        if case .startUpload = endpoint, request.uri.queryParameters.get("mount") != nil,
           let from = request.uri.queryParameters.get("from") {
            guard let source = RepositoryName(from) else { throw RegistryError(.nameInvalid, detail: "invalid mount source repository") }
            mountSource = source
        }
        let storage = storage
        let requirements = endpoint.requirements(method: request.method.rawValue, mountSource: mountSource) { repository, tag in
            storage.resolveTag(repository, tag) != nil
        }
        var context = context
        var rules: [String] = []
        for requirement in requirements {
            let verdict = decider.decide(context.identity, requirement)
            let repushOnly = verdict.allowed ? nil : identicalRepushMessage(endpoint, request, requirement, context.identity)
            audit.record(request, context, result: verdict.allowed ? .allow : .deny, requirement: requirement,
                         rule: verdict.rule, breakGlass: verdict.breakGlass,
                         reason: repushOnly.map { _ in "update not granted: only an identical re-push is accepted (no-op)" })
            if let repushOnly {
                context.identicalRepushOnly = repushOnly
                rules.append(verdict.rule)
                continue
            }
            guard verdict.allowed else {
                metrics?.countDenial(action: requirement.action.rawValue)
                context.logger.info("access denied", metadata: [
                    "identity": "\(context.identity)", "need": "\(requirement)", "rule": "\(verdict.rule)",
                ])
                if context.identity.isAnonymous {
                    throw RegistryHTTPError.unauthorized(realm: realm, detail: "\(requirement.action.rawValue) on \(requirement.repository) requires authentication")
                }
                throw RegistryError(.denied, message: Self.denialMessage(requirement, context.identity),
                                    detail: "\(requirement.action.rawValue) on \(requirement.repository) is not granted")
            }
            if verdict.breakGlass {
                context.logger.notice("admin break-glass grant", metadata: [
                    "identity": "\(context.identity)", "need": "\(requirement)", "rule": "\(verdict.rule)",
                ])
            }
            rules.append(verdict.rule)
        }
        if requirements.isEmpty {
            audit.record(request, context, result: .allow, rule: "no repository permission needed")
        }
        context.decidingRule = rules.isEmpty ? nil : rules.joined(separator: "; ")
        if case .manifest(let repository, .tag) = endpoint, request.method == .put,
           requirements.first?.action == .create {
            // The tag did not exist at the check; without update rights it must still not exist
            // when written, or a concurrent push could move it.
            context.tagMustBeNew = !decider.decide(context.identity, AccessRequirement(repository, .update)).allowed
        }
        return try await next(request, context)
    }
}
