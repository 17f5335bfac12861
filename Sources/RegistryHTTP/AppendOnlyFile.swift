import Foundation
import Synchronization

/// A file opened for appending lines (audit trail, server log) that follows log rotation: each line is written
/// whole under a lock, so concurrent writers never interleave, and when the file at `path` has been renamed or
/// removed (its inode changed) it is reopened — created anew with `mode` — before the next line.
final class AppendOnlyFile: Sendable {
    private struct State {
        var descriptor: Int32
        var inode: UInt64
    }

    /// The file's path.
    let path: String
    private let mode: mode_t
    private let state: Mutex<State>

    /// Opens (creating with `mode`) `path` for appending.
    init(path: String, mode: mode_t) throws {
        self.path = path
        self.mode = mode
        state = Mutex(try Self.open(path, mode: mode))
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// Appends `bytes` (a whole line, newline included); a failed write drops the line rather than blocking.
    func append(_ bytes: some Collection<UInt8>) {
        let line = Array(bytes)
        state.withLock { state in
            if Self.inode(of: path) != state.inode, let reopened = try? Self.open(path, mode: mode) {
                close(state.descriptor)
                state = reopened
            }
            Self.writeAll(line, to: state.descriptor)
        }
    }

    /// Writes all of `bytes` to `descriptor`, retrying partial writes and EINTR; gives up on any other error.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; return }
                offset += written
            }
        }
    }

    private static func open(_ path: String, mode: mode_t) throws -> State {
        let descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        var info = stat()
        fstat(descriptor, &info)
        return State(descriptor: descriptor, inode: UInt64(info.st_ino))
    }

    private static func inode(of path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}
