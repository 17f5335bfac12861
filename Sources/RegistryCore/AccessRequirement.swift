/// An action a request needs on a repository before any handler runs.
public struct AccessRequirement: Sendable, Equatable, CustomStringConvertible {
    public let repository: RepositoryName
    public let action: RegistryAction

    public init(_ repository: RepositoryName, _ action: RegistryAction) {
        self.repository = repository
        self.action = action
    }

    public var description: String { "\(action.rawValue) on \(repository)" }
}

extension RegistryEndpoint {
    /// The access a request needs, mapped as Zot does: GET/HEAD → read; uploads → create;
    /// DELETE → delete; manifest PUT to an existing tag → update, to a new tag or a digest →
    /// create; a cross-repository mount also needs read on the source repository.
    ///
    /// - Parameters:
    ///   - method: HTTP method, upper case.
    ///   - mountSource: the `from` query parameter of a mount request, if any.
    ///   - tagExists: whether a tag already exists (consulted only for manifest PUT by tag).
    public func requirements(method: String, mountSource: RepositoryName?, tagExists: (RepositoryName, String) -> Bool) -> [AccessRequirement] {
        switch self {
        case .base, .catalog:
            return []
        case .tagsList(let r), .referrers(let r, _):
            return [AccessRequirement(r, .read)]
        case .manifest(let r, let reference):
            switch method {
            case "PUT":
                if case .tag(let tag) = reference, tagExists(r, tag) { return [AccessRequirement(r, .update)] }
                return [AccessRequirement(r, .create)]
            case "DELETE": return [AccessRequirement(r, .delete)]
            default: return [AccessRequirement(r, .read)]
            }
        case .blob(let r, _):
            return [AccessRequirement(r, method == "DELETE" ? .delete : .read)]
        case .startUpload(let r):
            var result = [AccessRequirement(r, .create)]
            if let mountSource { result.append(AccessRequirement(mountSource, .read)) }
            return result
        case .upload(let r, _):
            return [AccessRequirement(r, .create)]
        }
    }
}
