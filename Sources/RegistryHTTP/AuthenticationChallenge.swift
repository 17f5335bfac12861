import RegistryCore

/// The `WWW-Authenticate` challenge of every 401, built in one place: `Basic realm="<http.realm>"`, or — with a
/// token server (`http.auth.bearer.cert`) or the built-in token service — `Bearer realm="…",service="…"` plus
/// `scope="repository:NAME:ACTIONS"` when the request names a repository (none on `/v2/` or the catalog).
public struct AuthenticationChallenge: Sendable, Hashable {
    /// Which scheme clients are told to use.
    public enum Scheme: Sendable, Hashable {
        /// `Basic realm="…"`.
        case basic(realm: String)
        /// `Bearer realm="<token endpoint>",service="<service>"`.
        case bearer(realm: String, service: String)
    }

    /// The scheme and its parameters (validated by the config loader: no quotes, backslashes or control characters).
    public let scheme: Scheme
    /// The realm of the Basic challenge outside `/v2` (the token endpoint itself, account routes), where a
    /// client must present credentials rather than a token.
    public let basicRealm: String

    /// The Basic challenge for `realm`.
    public init(realm: String) {
        scheme = .basic(realm: realm)
        basicRealm = realm
    }

    /// The Bearer challenge of a token endpoint `realm` for `service`; outside `/v2`, `Basic realm="<basicRealm>"`.
    public init(tokenRealm: String, service: String, basicRealm: String) {
        scheme = .bearer(realm: tokenRealm, service: service)
        self.basicRealm = basicRealm
    }

    /// The challenge for a path outside `/v2`: always Basic.
    public var outsideRegistryValue: String { "Basic realm=\(JSONText.quote(basicRealm))" }

    /// The realm (Basic) or token endpoint (Bearer).
    public var realm: String {
        switch scheme {
        case .basic(let realm), .bearer(let realm, _): realm
        }
    }

    /// The header value without a scope, e.g. `Basic realm="zot-authz"`.
    public var headerValue: String { headerValue(scopes: []) }

    /// The header value; a Bearer challenge names `scopes` (space-separated, as RFC 6750 writes them) and, for a
    /// token that does not cover the request, `error="insufficient_scope"`.
    public func headerValue(scopes: [String], insufficientScope: Bool = false) -> String {
        switch scheme {
        case .basic(let realm):
            return "Basic realm=\(JSONText.quote(realm))"
        case .bearer(let realm, let service):
            var value = "Bearer realm=\(JSONText.quote(realm)),service=\(JSONText.quote(service))"
            if !scopes.isEmpty { value += ",scope=\(JSONText.quote(scopes.joined(separator: " ")))" }
            if insufficientScope { value += ",error=\"insufficient_scope\"" }
            return value
        }
    }

    /// The header value for a request to `endpoint` with `method` (Bearer: the scope it needs).
    public func headerValue(endpoint: RegistryEndpoint?, method: String, mountSource: RepositoryName? = nil,
                            insufficientScope: Bool = false) -> String {
        guard case .bearer = scheme, let endpoint else { return headerValue }
        return headerValue(scopes: Self.scopes(endpoint: endpoint, method: method, mountSource: mountSource),
                           insufficientScope: insufficientScope)
    }

    /// The Docker scopes a request needs, one per repository in the order of its requirements: read → `pull`,
    /// create or update → `pull,push` (what Distribution asks for uploads), delete → `delete`.
    public static func scopes(endpoint: RegistryEndpoint, method: String, mountSource: RepositoryName?) -> [String] {
        var order: [RepositoryName] = []
        var actions: [RepositoryName: [String]] = [:]
        for requirement in endpoint.requirements(method: method, mountSource: mountSource, tagExists: { _, _ in false }) {
            let names: [String] = switch requirement.action {
            case .read: ["pull"]
            case .create, .update: ["pull", "push"]
            case .delete: ["delete"]
            }
            if actions[requirement.repository] == nil { order.append(requirement.repository) }
            for name in names where !(actions[requirement.repository]?.contains(name) ?? false) {
                actions[requirement.repository, default: []].append(name)
            }
        }
        return order.map { "repository:\($0.value):\(actions[$0, default: []].joined(separator: ","))" }
    }
}
