import RegistryAuthCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import RegistryCore
import Synchronization

/// Verifies `Authorization: Basic` credentials against an htpasswd file through libcrypt.
///
/// - Accepted hashes: bcrypt (`$2a$`, `$2b$`, `$2y$`), SHA-256 crypt (`$5$`), SHA-512 crypt (`$6$`); other
///   lines are skipped at load with a warning naming the line (never the hash).
/// - Hashing runs on a `NIOThreadPool`, never on the caller's event loop.
/// - A user that is not in the file is verified against a dummy hash of the file's typical scheme and cost, so
///   it costs as much as a wrong password (no user enumeration by timing).
/// - Successful verifications are cached (see ``VerifiedCredentialCache``); a hit skips the hash.
/// - The file is re-examined (device, inode, size, mtime) at most once per `reloadCheckInterval`, on request;
///   when it changed it is reloaded and the cache is emptied. If it cannot be read, the last good contents stay
///   in force and the error is logged once.
///
/// Outcomes: the ``Identity`` (method `.htpasswd`) for a matching password; `nil` for any other scheme, an
/// unknown user **and a wrong password**, so that LDAP or API keys may try the same Basic credentials (an API
/// key presented as the password of a user who is also in htpasswd still works). ``AuthenticatorChain``
/// rejects the request when nobody accepts it. Malformed Basic headers are rejected (thrown).
public final class HtpasswdAuthenticator: Authenticator {
    /// Reads the Authorization header.
    public var credentialSource: CredentialSource { .authorizationHeader }

    /// The htpasswd file path (a config reload may point it elsewhere, see ``switchFile(to:)``).
    public var path: String { state.withLock { $0.path } }
    /// The cache of verified credentials.
    public let cache: VerifiedCredentialCache
    /// The minimum time between two checks of the file for changes.
    public let reloadCheckInterval: TimeAmount

    private let logger: Logger
    private let threadPool: NIOThreadPool
    private let now: @Sendable () -> NIODeadline
    private let cryptCalls = Atomic<Int>(0)
    private let state: Mutex<State>

    /// One loaded version of the file.
    private struct Snapshot: Sendable {
        let file: HtpasswdFile
        let dummyHash: String
        let fingerprint: FileFingerprint
    }

    private struct State {
        var path: String
        var snapshot: Snapshot
        var lastCheck: NIODeadline
        var checkInProgress = false
        var lastReloadError: String?
    }

    /// Loads `path` synchronously (meant for startup: it reads the file and computes one hash).
    ///
    /// - Parameters:
    ///   - cache: where verified credentials are remembered; pass a cache with `capacity: 0` to disable.
    ///   - reloadCheckInterval: how often, at most, the file is checked for changes.
    ///   - threadPool: where hashing runs.
    ///   - now: the monotonic clock (injectable for tests).
    public init(
        path: String,
        cache: VerifiedCredentialCache = VerifiedCredentialCache(),
        reloadCheckInterval: TimeAmount = .seconds(1),
        threadPool: NIOThreadPool = .singleton,
        logger: Logger = Logger(label: "zot-authz.htpasswd"),
        now: @escaping @Sendable () -> NIODeadline = { .now() }
    ) throws(HtpasswdLoadError) {
        self.cache = cache
        self.reloadCheckInterval = reloadCheckInterval
        self.threadPool = threadPool
        self.logger = logger
        self.now = now
        let snapshot = try Self.load(path: path, logger: logger)
        state = Mutex(State(path: path, snapshot: snapshot, lastCheck: now()))
    }

    /// How many times libcrypt hashed a password for this authenticator (dummy hashes at load excluded).
    /// Exposed so tests can prove that cache hits and unknown users behave as documented.
    public var cryptInvocationCount: Int { cryptCalls.load(ordering: .relaxed) }

    /// The scheme and cost of the hash that unknown users are verified against.
    var dummyHashScheme: PasswordHashScheme? {
        try? PasswordHashScheme.classify(state.withLock { $0.snapshot.dummyHash })
    }

    /// The user names currently loaded.
    public var usernames: Set<String> { Set(state.withLock { $0.snapshot.file.entries.keys }) }

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard let header = request.authorizationHeader,
              let credentials = try BasicCredentials.parse(header: header)
        else { return nil }
        await reloadIfDue()

        let generation = cache.generation
        let snapshot = state.withLock { $0.snapshot }
        let cacheKey = cache.key(username: credentials.username, password: credentials.password)
        let entry = snapshot.file.entries[credentials.username]
        if entry != nil, cache.contains(cacheKey) {
            return Identity(username: credentials.username, method: .htpasswd)
        }

        let storedHash = entry?.hash ?? snapshot.dummyHash
        let password = credentials.password
        let matches: Bool
        cryptCalls.add(1, ordering: .relaxed)
        do {
            matches = try await threadPool.runIfActive {
                guard let computed = Crypt.hash(phrase: password, setting: storedHash) else { return false }
                return ConstantTime.equal(computed.utf8, storedHash.utf8)
            }
        } catch {
            throw .backendUnavailable("htpasswd verification could not run: \(error)")
        }
        guard matches, entry != nil else { return nil }
        cache.insert(cacheKey, generation: generation)
        return Identity(username: credentials.username, method: .htpasswd)
    }

    /// Reads `newPath` and, if it loads, serves it from now on instead of the current file (the cache is emptied).
    /// If it cannot be loaded the current file stays in force and the error is thrown.
    public func switchFile(to newPath: String) throws(HtpasswdLoadError) {
        let snapshot = try Self.load(path: newPath, logger: logger)
        state.withLock { state in
            state.path = newPath
            state.snapshot = snapshot
            state.lastReloadError = nil
            state.lastCheck = now()
        }
        cache.invalidateAll()
        logger.info("htpasswd file switched", metadata: ["path": "\(newPath)", "users": "\(snapshot.file.entries.count)"])
    }

    /// Checks the file now (ignoring the interval) and reloads it when it changed.
    public func reloadIfChanged() async {
        let started = state.withLock { state -> Bool in
            guard !state.checkInProgress else { return false }
            state.checkInProgress = true
            state.lastCheck = now()
            return true
        }
        if started { await performReloadCheck() }
    }

    /// Checks the file for changes when the reload interval has passed (as ``authenticate(_:)`` does).
    func reloadIfChangedWhenDue() async {
        await reloadIfDue()
    }

    /// Whether the file as last loaded has a line for `username`.
    func hasEntry(_ username: String) -> Bool {
        state.withLock { $0.snapshot.file.entries[username] != nil }
    }

    private func reloadIfDue() async {
        let current = now()
        let due = state.withLock { state -> Bool in
            guard !state.checkInProgress, current - state.lastCheck >= reloadCheckInterval else { return false }
            state.checkInProgress = true
            state.lastCheck = current
            return true
        }
        if due { await performReloadCheck() }
    }

    /// Runs with `checkInProgress` set; clears it.
    private func performReloadCheck() async {
        let (path, previous) = state.withLock { ($0.path, $0.snapshot.fingerprint) }
        let outcome: Result<Snapshot?, HtpasswdLoadError>
        do {
            outcome = try await threadPool.runIfActive { [path, logger] in
                Result { () throws(HtpasswdLoadError) -> Snapshot? in
                    let fingerprint: FileFingerprint
                    do throws(FileFingerprintError) { fingerprint = try FileFingerprint.of(path: path) } catch {
                        throw .unreadable(path: path, reason: error.message)
                    }
                    guard fingerprint != previous else { return nil }
                    return try Self.load(path: path, logger: logger)
                }
            }
        } catch {
            outcome = .failure(.unreadable(path: path, reason: "thread pool unavailable: \(error)"))
        }
        switch outcome {
        case .success(let snapshot?):
            state.withLock { state in
                // A switch to another file while this check ran wins.
                if state.path == path { state.snapshot = snapshot }
                state.lastReloadError = nil
                state.checkInProgress = false
            }
            cache.invalidateAll()
            logger.info("htpasswd file reloaded", metadata: ["path": "\(path)", "users": "\(snapshot.file.entries.count)"])
        case .success(nil):
            state.withLock { state in
                state.lastReloadError = nil
                state.checkInProgress = false
            }
        case .failure(let error):
            let isNew = state.withLock { state -> Bool in
                state.checkInProgress = false
                defer { state.lastReloadError = error.description }
                return state.lastReloadError != error.description
            }
            if isNew { logger.error("htpasswd reload failed; keeping the previous contents", metadata: ["error": "\(error)"]) }
        }
    }

    /// Reads and parses the file, logs skipped lines, and makes the dummy hash.
    private static func load(path: String, logger: Logger) throws(HtpasswdLoadError) -> Snapshot {
        let fingerprint: FileFingerprint
        do { fingerprint = try FileFingerprint.of(path: path) } catch {
            throw .unreadable(path: path, reason: error.message)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "could not read contents")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .notText(path: path) }
        let file = HtpasswdFile(parsing: text)
        for warning in file.warnings {
            logger.warning("\(warning)", metadata: ["path": "\(path)"])
        }
        let scheme = file.typicalScheme
        guard let dummyHash = scheme.makeDecoyHash() else {
            throw .dummyHashFailed(scheme: "\(scheme)")
        }
        return Snapshot(file: file, dummyHash: dummyHash, fingerprint: fingerprint)
    }
}
