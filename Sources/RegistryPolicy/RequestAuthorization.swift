import RegistryCore

/// What a registry request needs and whether the policy grants it: the one place where a manifest push is
/// decided as create or update.
public struct RequestAuthorization: Sendable {
    /// Each access the request needs with its verdict, in order; the request may run only if all are allowed.
    public let checks: [(requirement: AccessRequirement, verdict: AccessVerdict)]
    /// For a manifest PUT by tag authorized as `create` only (the caller may not `update`): the tag must still
    /// be absent when it is written, or a concurrent push could move it. The storage enforces this atomically.
    public let tagMustBeNew: Bool

    /// The first check that is denied, if any.
    public var denied: (requirement: AccessRequirement, verdict: AccessVerdict)? {
        checks.first { !$0.verdict.allowed }
    }
}

extension AccessPolicy {
    /// Authorizes `method` on `endpoint` for `identity`, mapping the request to actions as Zot does (see
    /// `RegistryEndpoint.requirements`): a manifest PUT to an existing tag is an update, to a new tag or a
    /// digest a create. Checks stop at the first denial.
    ///
    /// - Parameters:
    ///   - mountSource: the `from` repository of a cross-repository mount, if any.
    ///   - tagExists: whether a tag exists now (consulted only for a manifest PUT by tag).
    public func authorize(_ identity: Identity, endpoint: RegistryEndpoint, method: String, mountSource: RepositoryName? = nil,
                          tagExists: (RepositoryName, String) -> Bool) -> RequestAuthorization {
        var checks: [(requirement: AccessRequirement, verdict: AccessVerdict)] = []
        for requirement in endpoint.requirements(method: method, mountSource: mountSource, tagExists: tagExists) {
            let verdict = decide(identity, requirement)
            checks.append((requirement, verdict))
            if !verdict.allowed { break }
        }
        var tagMustBeNew = false
        if case .manifest(let repository, .tag) = endpoint, method == "PUT", let first = checks.first,
           first.requirement.action == .create, first.verdict.allowed {
            tagMustBeNew = !decide(identity, AccessRequirement(repository, .update)).allowed
        }
        return RequestAuthorization(checks: checks, tagMustBeNew: tagMustBeNew)
    }
}
