/// One login against the directory, run as a single blocking job on a pooled connection:
/// bind as the service (unless the connection already is), search for exactly one entry of the user, then bind
/// as that entry with the password. After a user bind the connection is marked as no longer service-bound, so the
/// next job rebinds as the service before searching.
struct LDAPLogin: Sendable {
    /// What the directory said about the credentials.
    enum Outcome: Sendable, Hashable {
        /// The password is right; `username` is the directory's spelling of the login name.
        case authenticated(dn: String, username: String, groups: [String])
        /// No entry matched, or more than one did (ambiguous: refused).
        case unknownUser(matches: Int)
        /// The entry exists but the bind with the password was refused.
        case rejected(code: Int32)
    }

    /// What to search.
    struct Query: Sendable {
        var baseDN: String
        var subtree: Bool
        var userAttribute: String
        var userFilter: String?
        var groupAttribute: String?
        /// Groups under this DN are also reported by their CN (see ``LDAPGroupNames``).
        var groupBase: String
    }

    let query: Query
    let service: LDAPServiceCredentials
    let serviceGeneration: UInt64
    let username: String
    /// Never empty: empty passwords are refused before a job is created.
    let password: String

    /// Runs the login on `existing` (or a fresh connection). Returns the outcome and the connection to keep
    /// (`nil` when it was closed because something went wrong). A reused connection that turns out to be dead
    /// (server restarted, idle timeout) is replaced once by a fresh one.
    func run(existing: LDAPConnection?, endpoint: LDAPEndpoint) -> (Result<Outcome, LDAPError>, LDAPConnection?) {
        var connection = existing
        while true {
            let reused = connection != nil
            do throws(LDAPError) {
                let active: LDAPConnection
                if let connection { active = connection } else { active = try LDAPConnection.open(endpoint) }
                connection = active
                return (.success(try perform(on: active)), active)
            } catch {
                connection?.close()
                connection = nil
                if reused && error.isConnectionLost { continue }
                return (.failure(error), nil)
            }
        }
    }

    private func perform(on connection: LDAPConnection) throws(LDAPError) -> Outcome {
        // Defence in depth: an empty password would be an unauthenticated bind that succeeds.
        guard !password.isEmpty else { return .rejected(code: LDAPResultCode.invalidCredentials) }
        if connection.serviceBindGeneration != serviceGeneration {
            connection.serviceBindGeneration = nil
            let code = connection.simpleBind(dn: service.bindDN, password: service.bindPassword)
            guard code == LDAPResultCode.success else {
                throw connection.error(code, service.isAnonymous ? "anonymous bind" : "service bind as \(service.bindDN)")
            }
            connection.serviceBindGeneration = serviceGeneration
        }
        let filter = LDAPFilter.user(attribute: query.userAttribute, username: username, userFilter: query.userFilter)
        var attributes = [query.userAttribute]
        if let groupAttribute = query.groupAttribute, !groupAttribute.isEmpty { attributes.append(groupAttribute) }
        let result = try connection.search(base: query.baseDN, subtree: query.subtree, filter: filter,
                                           attributes: attributes, sizeLimit: 2)
        guard result.entries.count == 1, !result.sizeLimitExceeded, let entry = result.entries.first, !entry.dn.isEmpty else {
            // Same cost as a wrong password: one more bind, which the directory must refuse, so response times do not
            // tell which user names exist. Its result is ignored.
            connection.serviceBindGeneration = nil
            _ = connection.simpleBind(dn: Self.decoyDN(baseDN: query.baseDN), password: password)
            return .unknownUser(matches: result.sizeLimitExceeded ? max(2, result.entries.count) : result.entries.count)
        }
        connection.serviceBindGeneration = nil
        let code = connection.simpleBind(dn: entry.dn, password: password)
        if LDAPResultCode.userBindRejections.contains(code) { return .rejected(code: code) }
        guard code == LDAPResultCode.success else { throw connection.error(code, "user bind as \(entry.dn)") }
        let groupValues = query.groupAttribute.flatMap { entry.attributes[$0] } ?? []
        return .authenticated(dn: entry.dn, username: canonicalName(entry.attributes[query.userAttribute] ?? []),
                              groups: LDAPGroupNames.groups(fromAttributeValues: groupValues, shortNameBase: query.groupBase))
    }

    /// A DN no directory holds (random per call), bound to when the user is unknown.
    static func decoyDN(baseDN: String) -> String {
        let random = (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        return "cn=zot-authz-decoy-\(random),\(baseDN)"
    }

    /// The directory's spelling of the login name: the attribute's only value, or the value equal to the typed
    /// name ignoring case; otherwise the name as typed.
    private func canonicalName(_ values: [String]) -> String {
        if values.count == 1, let only = values.first, !only.isEmpty { return only }
        return values.first { $0.lowercased() == username.lowercased() } ?? username
    }
}
