import RegistryAuthCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import RegistryCore
import Synchronization

/// Verifies `Authorization: Basic` credentials against an LDAP directory through libldap (Zot's `http.auth.ldap`).
///
/// Per login: bind as the service account (from `credentialsFile`, reloaded when it changes), search `baseDN`
/// (one level, or the subtree with `subtreeSearch`) with `(&<userFilter>(<userAttribute>=<escaped name>))`,
/// require exactly one entry, then bind as that entry with the password. Groups are the values of
/// `userGroupAttribute`; a DN value also contributes its CN (`cn=devs,ou=groups,…` → both strings).
///
/// - Empty passwords are refused before any bind (LDAP would treat them as a successful unauthenticated bind).
/// - Successful logins are cached for a short TTL with their groups; failures never are. The cache is emptied when
///   the credentials file changes (the LDAP settings themselves are read once, at start).
/// - Directory work runs on a `NIOThreadPool` over a bounded pool of connections; every connect and operation is
///   limited by a timeout, and a caller waiting for a free connection gives up after `slotWaitTimeout`. A broken
///   connection is discarded and replaced on next use, so the authenticator recovers after a directory restart.
///
/// Outcomes: the ``Identity`` (method `.ldap`) when the bind succeeds; `nil` for other schemes, unknown or
/// ambiguous users and wrong passwords (so API keys may try next); ``AuthenticationFailure/Kind/backendUnavailable``
/// when the directory cannot be reached, times out, or refuses the service bind.
public final class LDAPAuthenticator: Authenticator {
    /// Reads the Authorization header.
    public var credentialSource: CredentialSource { .authorizationHeader }

    /// Tuning knobs (not part of Zot's config).
    public struct Options: Sendable {
        /// The maximum number of directory connections (and concurrent directory jobs).
        public var maxConnections: Int
        /// The limit for connecting and for each LDAP operation, in seconds.
        public var timeoutSeconds: Int
        /// How long a request waits for a free connection before failing with `backendUnavailable`.
        public var slotWaitTimeout: TimeAmount
        /// How long a successful login is remembered.
        public var cacheTTL: TimeAmount
        /// How often, at most, the credentials file is checked for changes.
        public var credentialsCheckInterval: TimeAmount
        /// How long the answer to "does this API key's owner still exist" is remembered.
        public var accountCheckTTL: TimeAmount

        /// Creates options; the defaults suit a registry in front of a normal directory.
        public init(maxConnections: Int = 4, timeoutSeconds: Int = 5, slotWaitTimeout: TimeAmount = .seconds(5),
                    cacheTTL: TimeAmount = .seconds(60), credentialsCheckInterval: TimeAmount = .seconds(1),
                    accountCheckTTL: TimeAmount = .seconds(120)) {
            self.accountCheckTTL = accountCheckTTL
            self.maxConnections = maxConnections
            self.timeoutSeconds = timeoutSeconds
            self.slotWaitTimeout = slotWaitTimeout
            self.cacheTTL = cacheTTL
            self.credentialsCheckInterval = credentialsCheckInterval
        }
    }

    /// Threads for blocking libldap calls, sized for the default connection pool; started once, never stopped.
    public static let sharedThreadPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    /// The directory's address and transport.
    public let endpoint: LDAPEndpoint

    let query: LDAPLogin.Query
    let serviceCredentials: ServiceCredentialsSource
    let pool: LDAPConnectionPool
    private let cache: LDAPBindCache
    /// Whether API-key owners still exist (see ``accountExists(_:)``).
    let accountCache: AccountExistenceCache
    let threadPool: NIOThreadPool
    private let logger: Logger
    let jobs = Atomic<Int>(0)
    /// The credentials file generation the cache was filled under; a change empties the cache.
    private let cachedServiceGeneration = Atomic<UInt64>(0)
    private let now: @Sendable () -> NIODeadline
    /// The last directory failure logged and when, so an outage logs once per distinct error (or every 30 s)
    /// rather than once per request.
    private let outage = Mutex<(message: String, loggedAt: NIODeadline)?>(nil)

    enum ServiceCredentialsSource: Sendable {
        case fixed(LDAPServiceCredentials)
        case file(LDAPCredentialsFile)

        func current() async -> (LDAPServiceCredentials, UInt64) {
            switch self {
            case .fixed(let credentials): (credentials, 0)
            case .file(let file): await file.current()
            }
        }
    }

    /// Prepares the authenticator; loads libldap, reads `credentialsFile` now (it is re-read on change later) and
    /// checks that `caCert` is readable. No connection is opened until the first login.
    public init(config: LDAPSettings, options: Options = Options(), threadPool: NIOThreadPool = LDAPAuthenticator.sharedThreadPool,
                logger: Logger = Logger(label: "zot-authz.ldap"),
                now: @escaping @Sendable () -> NIODeadline = { .now() }) throws(LDAPSetupError) {
        do throws(LDAPLibraryError) {
            _ = try LDAPLibrary.require()
        } catch {
            throw .libraryUnavailable(error)
        }
        endpoint = LDAPEndpoint(config: config, timeoutSeconds: options.timeoutSeconds)
        query = LDAPLogin.Query(baseDN: config.baseDN, subtree: config.subtreeSearch, userAttribute: config.userAttribute,
                                userFilter: config.userFilter, groupAttribute: config.userGroupAttribute,
                                groupBase: config.groupBaseDN ?? LDAPGroupNames.defaultGroupBase(baseDN: config.baseDN))
        if let path = config.credentialsFile {
            do throws(LDAPCredentialsError) {
                serviceCredentials = .file(try LDAPCredentialsFile(path: path, checkInterval: options.credentialsCheckInterval,
                                                                   logger: logger, now: now))
            } catch {
                throw .credentialsFile(path: path, error)
            }
        } else {
            do throws(LDAPCredentialsError) {
                serviceCredentials = .fixed(try LDAPServiceCredentials(bindDN: config.bindDN ?? "", bindPassword: config.bindPassword ?? ""))
            } catch {
                throw .inlineCredentials(error)
            }
        }
        if endpoint.usesTLS, let caCert = config.caCert, !FileManager.default.isReadableFile(atPath: caCert) {
            throw .caCertUnreadable(path: caCert)
        }
        pool = LDAPConnectionPool(maxConnections: options.maxConnections, waitTimeout: options.slotWaitTimeout)
        cache = LDAPBindCache(ttl: options.cacheTTL, now: now)
        accountCache = AccountExistenceCache(ttl: options.accountCheckTTL, now: now)
        self.threadPool = threadPool
        self.logger = logger
        self.now = now
        if config.insecure && (config.caCert != nil || config.skipVerify) {
            logger.warning("http.auth.ldap.insecure is true: the connection is plain LDAP, caCert and skipVerify do not apply")
        }
    }

    /// How many directory jobs (binds and searches for one login) were started; cache hits and refused empty
    /// passwords start none. Exposed so tests can prove that.
    public var directoryJobCount: Int { jobs.load(ordering: .relaxed) }

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard let header = request.authorizationHeader,
              let credentials = try BasicCredentials.parse(header: header)
        else { return nil }
        guard !credentials.password.isEmpty else {
            logger.debug("LDAP login refused: empty password", metadata: ["user": "\(credentials.username)"])
            return nil
        }
        // Logins verified under other service credentials may no longer hold (another directory, other rights).
        let (_, serviceGeneration) = await serviceCredentials.current()
        if cachedServiceGeneration.exchange(serviceGeneration, ordering: .relaxed) != serviceGeneration {
            cache.invalidateAll()
        }
        let cacheKey = cache.key(username: credentials.username, password: credentials.password)
        if let cached = cache.lookup(cacheKey) {
            return Identity(username: cached.username, groups: cached.groups, method: .ldap)
        }
        let generation = cache.generation
        let outcome = try await login(credentials)
        switch outcome {
        case .authenticated(let dn, let username, let groups):
            cache.insert(cacheKey, username: username, groups: groups, generation: generation)
            logger.debug("LDAP login succeeded", metadata: ["user": "\(username)", "dn": "\(dn)", "groups": "\(groups.count)"])
            return Identity(username: username, groups: groups, method: .ldap)
        case .unknownUser(let matches):
            logger.debug("LDAP login: user not found", metadata: ["user": "\(credentials.username)", "matches": "\(matches)"])
            return nil
        case .rejected(let code):
            logger.debug("LDAP login: bind refused", metadata: ["user": "\(credentials.username)", "code": "\(code)"])
            return nil
        }
    }

    /// Runs one login job on a pooled connection.
    private func login(_ credentials: BasicCredentials) async throws(AuthenticationFailure) -> LDAPLogin.Outcome {
        let (service, serviceGeneration) = await serviceCredentials.current()
        let existing: LDAPConnection?
        do {
            existing = try await pool.acquire()
        } catch {
            throw unavailable("\(error)")
        }
        jobs.add(1, ordering: .relaxed)
        let job = LDAPLogin(query: query, service: service, serviceGeneration: serviceGeneration,
                            username: credentials.username, password: credentials.password)
        let result: Result<LDAPLogin.Outcome, LDAPError>
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
        case .success(let outcome):
            noteDirectoryAnswered()
            return outcome
        case .failure(let error):
            throw unavailable("\(error)")
        }
    }

    /// Logs the failure (once per distinct message, or every 30 s) and returns the rejection.
    func unavailable(_ message: String) -> AuthenticationFailure {
        let time = now()
        let shouldLog = outage.withLock { last -> Bool in
            if let last, last.message == message, time - last.loggedAt < .seconds(30) { return false }
            last = (message, time)
            return true
        }
        if shouldLog {
            logger.error("LDAP directory unavailable", metadata: ["uri": "\(endpoint.uri)", "error": "\(message)"])
        }
        return .backendUnavailable("LDAP \(endpoint.uri): \(message)")
    }

    private func noteDirectoryAnswered() {
        let recovered = outage.withLock { last -> Bool in
            defer { last = nil }
            return last != nil
        }
        if recovered { logger.notice("LDAP directory answers again", metadata: ["uri": "\(endpoint.uri)"]) }
    }
}

/// The LDAP authenticator cannot be set up; ``configPath`` names the config key at fault.
public enum LDAPSetupError: Error, Sendable, CustomStringConvertible {
    /// `credentialsFile` is missing, unreadable or invalid.
    case credentialsFile(path: String, LDAPCredentialsError)
    /// `bindDN`/`bindPassword` in the main config are unusable.
    case inlineCredentials(LDAPCredentialsError)
    /// `caCert` cannot be read.
    case caCertUnreadable(path: String)
    /// The OpenLDAP client library is not installed (or lacks a function this module calls).
    case libraryUnavailable(LDAPLibraryError)

    /// The config key the error is about, e.g. `http.auth.ldap.credentialsFile`.
    public var configPath: String {
        switch self {
        case .credentialsFile: "http.auth.ldap.credentialsFile"
        case .inlineCredentials: "http.auth.ldap.bindPassword"
        case .caCertUnreadable: "http.auth.ldap.caCert"
        case .libraryUnavailable: "http.auth.ldap"
        }
    }

    public var description: String {
        switch self {
        case .credentialsFile(let path, let error): "\"\(path)\": \(error)"
        case .inlineCredentials(let error): "\(error)"
        case .caCertUnreadable(let path): "cannot read \"\(path)\""
        case .libraryUnavailable(let error): error.description
        }
    }
}
