/// One existence check against the directory, run as a single blocking job on a pooled connection: bind as the
/// service (unless the connection already is), then search for the user's entry. No user bind happens.
struct LDAPUserSearch: Sendable {
    let query: LDAPLogin.Query
    let service: LDAPServiceCredentials
    let serviceGeneration: UInt64
    let username: String

    /// How many entries matched (0, 1, or 2 meaning "more than one"), and the connection to keep.
    func run(existing: LDAPConnection?, endpoint: LDAPEndpoint) -> (Result<Int, LDAPError>, LDAPConnection?) {
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

    private func perform(on connection: LDAPConnection) throws(LDAPError) -> Int {
        if connection.serviceBindGeneration != serviceGeneration {
            connection.serviceBindGeneration = nil
            let code = connection.simpleBind(dn: service.bindDN, password: service.bindPassword)
            guard code == LDAPResultCode.success else {
                throw connection.error(code, service.isAnonymous ? "anonymous bind" : "service bind as \(service.bindDN)")
            }
            connection.serviceBindGeneration = serviceGeneration
        }
        let filter = LDAPFilter.user(attribute: query.userAttribute, username: username, userFilter: query.userFilter)
        let result = try connection.search(base: query.baseDN, subtree: query.subtree, filter: filter,
                                           attributes: [query.userAttribute], sizeLimit: 2)
        return result.sizeLimitExceeded ? 2 : result.entries.count
    }
}
