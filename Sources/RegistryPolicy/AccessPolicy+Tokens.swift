import RegistryCore

extension AccessPolicy {
    /// The access a registry token for `identity` may carry when `requested` is asked for: each requested
    /// repository entry trimmed to the Docker actions this policy allows there (requested ∩ policy, and ∩ the
    /// identity's own scopes when it has any, e.g. an API key). `pull` needs read, `push` create or update,
    /// `delete` delete, `*` is each of them. Entries of other types, invalid names and entries left with no action are
    /// dropped; the same repository asked twice is granted once, actions merged.
    ///
    /// The token is not a second source of truth: every request made with it is still decided by ``decide(_:_:)``
    /// against the token's access **and** the policy of that moment.
    public func grantedAccess(_ identity: Identity, requested: [DockerAccess]) -> [DockerAccess] {
        var granted: [DockerAccess] = []
        for entry in requested {
            guard let repository = entry.repository else { continue }
            let wanted = entry.registryActions
            var allowed = Set<RegistryAction>()
            for action in wanted where decide(identity, AccessRequirement(repository, action)).allowed {
                allowed.insert(action)
            }
            // `push` is granted when either create or update is: each request is still checked against policy.
            let names = DockerAccess.dockerActions(allowed)
            guard !names.isEmpty else { continue }
            if let index = granted.firstIndex(where: { $0.name == repository.value }) {
                let merged = Set(granted[index].actions).union(names)
                granted[index].actions = ["pull", "push", "delete"].filter(merged.contains)
            } else {
                granted.append(DockerAccess(type: "repository", name: repository.value, actions: names))
            }
        }
        return granted
    }
}
