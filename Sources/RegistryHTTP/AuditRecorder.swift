import Hummingbird
import RegistryCore
import RegistryPolicy

/// Builds audit events from a request and its context; a no-op when `log.audit` is not configured.
struct AuditRecorder: Sendable {
    let trail: AuditTrail?

    func record(_ request: Request, _ context: RegistryRequestContext, result: AuditEvent.Result,
                requirement: AccessRequirement? = nil, rule: String? = nil, breakGlass: Bool = false, reason: String? = nil,
                attempt: (user: String?, method: String)? = nil) {
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
            user: identity.username ?? attempt?.user,
            groups: identity.groups.isEmpty ? nil : identity.groups,
            authMethod: attempt?.method ?? identity.method.rawValue,
            result: result,
            rule: rule,
            breakGlass: breakGlass ? true : nil,
            reason: reason,
            event: nil,
            credentialId: identity.credentialID,
            scopes: identity.scopes))
    }

    /// Records an account event (login, logout, API key created or revoked) for `user`.
    func recordAccountEvent(_ request: Request, _ context: RegistryRequestContext, event: String, result: AuditEvent.Result,
                            user: String?, groups: [String] = [], authMethod: String? = nil, credentialID: String? = nil,
                            reason: String? = nil) {
        guard let trail else { return }
        trail.record(AuditEvent(
            time: AuditTrail.timestamp(),
            requestId: context.id,
            clientIp: context.clientAddress,
            method: request.method.rawValue,
            path: request.uri.path,
            repository: nil,
            action: nil,
            user: user,
            groups: groups.isEmpty ? nil : groups,
            authMethod: authMethod ?? context.identity.method.rawValue,
            result: result,
            rule: nil,
            breakGlass: nil,
            reason: reason,
            event: event,
            credentialId: credentialID))
    }
}
