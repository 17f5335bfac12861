import Hummingbird
import RegistryCore

/// Builds audit events from a request and its context; a no-op when `log.audit` is not configured.
struct AuditRecorder: Sendable {
    let trail: AuditTrail?

    func record(_ request: Request, _ context: RegistryRequestContext, result: AuditEvent.Result,
                requirement: AccessRequirement? = nil, rule: String? = nil, breakGlass: Bool = false, reason: String? = nil) {
        guard let trail else { return }
        let identity = context.identity
        trail.record(AuditEvent(
            time: AuditTrail.timestamp(),
            requestId: context.id,
            clientIp: context.clientAddress,
            method: request.method.rawValue,
            path: request.uri.path,
            repository: requirement?.repository.value,
            action: requirement?.action.rawValue,
            user: identity.username,
            groups: identity.groups.isEmpty ? nil : identity.groups,
            authMethod: identity.method.rawValue,
            result: result,
            rule: rule,
            breakGlass: breakGlass ? true : nil,
            reason: reason))
    }
}
