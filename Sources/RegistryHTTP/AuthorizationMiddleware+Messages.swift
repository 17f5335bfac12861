import Hummingbird
import RegistryCore
import RegistryPolicy

/// What a denied client is told. skopeo and podman print only an error's `message`, so it carries the reason;
/// `detail` keeps the fixed `<action> on <repository> is not granted` form for scripts.
extension AuthorizationMiddleware {
    /// `user ci may not delete apps/web`.
    static func denialMessage(_ requirement: AccessRequirement, _ identity: Identity) -> String {
        "user \(identity.username ?? "anonymous") may not \(requirement.action.rawValue) \(requirement.repository)"
    }

    /// For a manifest PUT to an existing tag that needs `update` which is not granted while `create` is: the message
    /// for a push that would move the tag (an identical re-push is then accepted by the handler). `nil` otherwise.
    func identicalRepushMessage(_ policy: AccessPolicy, _ endpoint: RegistryEndpoint, _ request: Request, _ requirement: AccessRequirement,
                                _ identity: Identity) -> String? {
        guard case .manifest(let repository, .tag(let tag)) = endpoint, request.method == .put,
              requirement.action == .update, let user = identity.username,
              policy.decide(identity, AccessRequirement(repository, .create)).allowed else { return nil }
        return "tag \(tag) exists and user \(user) may create but not update \(repository)"
    }
}
