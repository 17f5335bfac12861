/// One entry of a Docker registry token's `access` claim (and of a token request's `scope`), e.g.
/// `{"type": "repository", "name": "team/app", "actions": ["pull", "push"]}` or `repository:team/app:pull,push`.
///
/// The mapping onto ``RegistryAction`` is exact and fixed: `pull` → read, `push` → create and update,
/// `delete` → delete, `*` → every action. Other action names map to nothing (they never widen a grant).
public struct DockerAccess: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The resource type; only `repository` grants repository actions.
    public var type: String
    /// The resource name (a repository name for `repository`).
    public var name: String
    /// Docker action names, in the order given.
    public var actions: [String]

    /// Creates an entry.
    public init(type: String, name: String, actions: [String]) {
        self.type = type
        self.name = name
        self.actions = actions
    }

    /// Parses one scope string `TYPE:NAME:ACTIONS` (the name may contain `:` only before the last one, as in
    /// Distribution: the actions follow the last colon). Returns `nil` for anything else.
    public init?(scope: some StringProtocol) {
        guard let last = scope.lastIndex(of: ":"), let first = scope.firstIndex(of: ":"), first < last else { return nil }
        let type = String(scope[..<first])
        let name = String(scope[scope.index(after: first)..<last])
        let actions = scope[scope.index(after: last)...].split(separator: ",").map { String($0) }
        guard !type.isEmpty, !name.isEmpty else { return nil }
        self.init(type: type, name: name, actions: actions)
    }

    /// The registry actions this entry's Docker actions map to.
    public var registryActions: Set<RegistryAction> {
        var result = Set<RegistryAction>()
        for action in actions {
            switch action {
            case "pull": result.insert(.read)
            case "push": result.formUnion([.create, .update])
            case "delete": result.insert(.delete)
            case "*": result.formUnion(RegistryAction.allCases)
            default: break
            }
        }
        return result
    }

    /// The repository this entry names, when it is a `repository` entry with a valid name.
    public var repository: RepositoryName? {
        type == "repository" ? RepositoryName(name) : nil
    }

    /// The scope string form, `TYPE:NAME:ACTIONS`.
    public var description: String { "\(type):\(name):\(actions.joined(separator: ","))" }

    /// The access entries as credential scopes: one exact-name scope per valid repository entry that grants at
    /// least one action. Entries of other types, invalid names and unknown actions grant nothing.
    public static func scopes(_ entries: [DockerAccess]) -> [AccessScope] {
        var scopes: [AccessScope] = []
        for entry in entries {
            guard let repository = entry.repository else { continue }
            let actions = entry.registryActions
            guard !actions.isEmpty else { continue }
            if let index = scopes.firstIndex(where: { $0.repositories == repository.value }) {
                scopes[index].actions.formUnion(actions)
            } else {
                scopes.append(AccessScope(repositories: repository.value, actions: actions))
            }
        }
        return scopes
    }

    /// The Docker action names for `actions` (read → pull, create or update → push, delete → delete), in the
    /// order pull, push, delete.
    public static func dockerActions(_ actions: Set<RegistryAction>) -> [String] {
        var names: [String] = []
        if actions.contains(.read) { names.append("pull") }
        if actions.contains(.create) || actions.contains(.update) { names.append("push") }
        if actions.contains(.delete) { names.append("delete") }
        return names
    }
}
