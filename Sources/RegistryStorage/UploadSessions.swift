import Foundation
import RegistryCore

/// In-memory state of in-progress uploads: owner repository, committed offset and a running
/// hash, plus a busy flag so two requests never write the same upload at once.
///
/// The data itself is kept by the driver; after a restart a session is rebuilt from the size of
/// the stored content (its hash is then recomputed at the end), so a restart never loses an upload.
actor UploadSessions {
    struct State: Sendable {
        var repository: RepositoryName
        var offset: Int64
        var hasher: DigestHasher?
        var busy: Bool
        /// When a request last started or finished writing it (GC measures abandonment from here).
        var lastActivity = Date()
    }

    private var sessions: [UploadID: State] = [:]

    func create(_ id: UploadID, repository: RepositoryName) {
        sessions[id] = State(repository: repository, offset: 0, hasher: DigestHasher(algorithm: .sha256), busy: false)
    }

    /// Whether the session is in memory.
    func isKnown(_ id: UploadID) -> Bool { sessions[id] != nil }

    /// Records a session found in storage after a restart (its hash is unknown unless empty).
    func adopt(_ id: UploadID, repository: RepositoryName, size: Int64) {
        guard sessions[id] == nil else { return }
        sessions[id] = State(repository: repository, offset: size, hasher: size == 0 ? DigestHasher(algorithm: .sha256) : nil, busy: false)
    }

    /// Marks the upload busy and returns its state.
    func acquire(_ id: UploadID, repository: RepositoryName) throws(RegistryError) -> State {
        guard var state = sessions[id], state.repository == repository else { throw RegistryError(.blobUploadUnknown) }
        guard !state.busy else {
            throw RegistryError(.blobUploadInvalid, status: 416, detail: "another request is writing this upload")
        }
        state.busy = true
        state.lastActivity = Date()
        sessions[id] = state
        return state
    }

    /// Stores the new offset and hash and clears the busy flag.
    func release(_ id: UploadID, offset: Int64, hasher: DigestHasher?) {
        guard var state = sessions[id] else { return }
        state.offset = offset
        state.hasher = hasher
        state.busy = false
        state.lastActivity = Date()
        sessions[id] = state
    }

    /// The committed offset, if the session is known and owned by `repository`.
    func offset(_ id: UploadID, repository: RepositoryName) -> Int64? {
        guard let state = sessions[id], state.repository == repository else { return nil }
        return state.offset
    }

    /// Whether a request is writing the upload now, and when one last wrote it (`nil`: not in memory).
    func activity(_ id: UploadID) -> (busy: Bool, last: Date)? {
        sessions[id].map { ($0.busy, $0.lastActivity) }
    }

    func remove(_ id: UploadID) {
        sessions[id] = nil
    }
}
