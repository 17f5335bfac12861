import RegistryAuthCore
import NIOCore
import NIOPosix
import Synchronization
import RegistryCore

extension LDAPAuthenticator: AccountDirectory {
    public var accountMethod: Identity.Method { .ldap }

    /// Whether the directory still has exactly one entry for `username` (the search a login does, without the
    /// bind). Answers are cached for ``Options/accountCheckTTL`` (default 2 minutes), so a user removed from the
    /// directory loses API-key access within that time; an unreachable directory is
    /// ``AuthenticationFailure/Kind/backendUnavailable``.
    public func accountExists(_ username: String) async throws(AuthenticationFailure) -> Bool {
        if let cached = accountCache.lookup(username) { return cached }
        let (service, serviceGeneration) = await serviceCredentials.current()
        let existing: LDAPConnection?
        do {
            existing = try await pool.acquire()
        } catch {
            throw unavailable("\(error)")
        }
        jobs.add(1, ordering: .relaxed)
        let job = LDAPUserSearch(query: query, service: service, serviceGeneration: serviceGeneration, username: username)
        let result: Result<Int, LDAPError>
        do {
            let endpoint = endpoint
            let (outcome, keep) = try await threadPool.runIfActive { job.run(existing: existing, endpoint: endpoint) }
            pool.release(keep)
            result = outcome
        } catch {
            pool.release(nil)
            throw unavailable("jobs cannot run: \(error)")
        }
        switch result {
        case .success(let matches):
            let exists = matches == 1
            accountCache.insert(username, exists: exists)
            return exists
        case .failure(let error):
            throw unavailable("\(error)")
        }
    }
}
