import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Zot's `credentialsFile`, kept current: on request, at most once per `checkInterval`, the file's device,
/// inode, size and mtime are compared with the loaded version; when they changed the file is read again.
/// A file that cannot be read or parsed leaves the last good credentials in force (the error is logged once).
/// Each successful change bumps ``generation`` so pooled connections bound with older credentials rebind.
final class LDAPCredentialsFile: Sendable {
    /// The file's path.
    let path: String
    /// The minimum time between two checks of the file.
    let checkInterval: TimeAmount

    private let logger: Logger
    private let threadPool: NIOThreadPool
    private let now: @Sendable () -> NIODeadline
    private let state: Mutex<State>

    private struct State {
        var credentials: LDAPServiceCredentials
        var fingerprint: FileFingerprint
        var generation: UInt64 = 0
        var lastCheck: NIODeadline
        var checkInProgress = false
        var lastError: String?
    }

    /// Reads the file synchronously (startup); throws when it is missing, unreadable or invalid.
    init(path: String, checkInterval: TimeAmount = .seconds(1), threadPool: NIOThreadPool = .singleton,
         logger: Logger, now: @escaping @Sendable () -> NIODeadline = { .now() }) throws(LDAPCredentialsError) {
        self.path = path
        self.checkInterval = checkInterval
        self.threadPool = threadPool
        self.logger = logger
        self.now = now
        let (credentials, fingerprint) = try Self.load(path: path)
        state = Mutex(State(credentials: credentials, fingerprint: fingerprint, lastCheck: now()))
    }

    /// The credentials in force and their generation, after reloading the file if a check is due.
    func current() async -> (credentials: LDAPServiceCredentials, generation: UInt64) {
        let time = now()
        let due = state.withLock { state -> FileFingerprint? in
            guard !state.checkInProgress, time - state.lastCheck >= checkInterval else { return nil }
            state.checkInProgress = true
            state.lastCheck = time
            return state.fingerprint
        }
        if let previous = due { await reload(unless: previous) }
        return state.withLock { ($0.credentials, $0.generation) }
    }

    /// Runs with `checkInProgress` set; clears it.
    private func reload(unless previous: FileFingerprint) async {
        let outcome: Result<(LDAPServiceCredentials, FileFingerprint)?, LDAPCredentialsError>
        do {
            outcome = try await threadPool.runIfActive { [path] in
                Result { () throws(LDAPCredentialsError) -> (LDAPServiceCredentials, FileFingerprint)? in
                    let fingerprint: FileFingerprint
                    do throws(FileFingerprintError) { fingerprint = try FileFingerprint.of(path: path) } catch {
                        throw .unreadable(path: path, reason: error.message)
                    }
                    guard fingerprint != previous else { return nil }
                    return try Self.load(path: path)
                }
            }
        } catch {
            outcome = .failure(.unreadable(path: path, reason: "thread pool unavailable: \(error)"))
        }
        switch outcome {
        case .success(let loaded?):
            state.withLock { state in
                state.credentials = loaded.0
                state.fingerprint = loaded.1
                state.generation += 1
                state.lastError = nil
                state.checkInProgress = false
            }
            logger.info("LDAP credentials file reloaded", metadata: ["path": "\(path)", "bind": "\(loaded.0)"])
        case .success(nil):
            state.withLock { state in
                state.lastError = nil
                state.checkInProgress = false
            }
        case .failure(let error):
            let isNew = state.withLock { state -> Bool in
                state.checkInProgress = false
                defer { state.lastError = error.description }
                return state.lastError != error.description
            }
            if isNew {
                logger.error("LDAP credentials file reload failed; keeping the previous credentials",
                             metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    private static func load(path: String) throws(LDAPCredentialsError) -> (LDAPServiceCredentials, FileFingerprint) {
        let fingerprint: FileFingerprint
        do { fingerprint = try FileFingerprint.of(path: path) } catch {
            throw .unreadable(path: path, reason: error.message)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "could not read contents")
        }
        return (try LDAPServiceCredentials.parse(json: data), fingerprint)
    }
}
