#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Identifies one version of a file by device, inode, size and modification time, so replacing the file
/// (rename over it) and rewriting it in place are both noticed.
struct FileFingerprint: Sendable, Hashable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int64
    let modifiedNanoseconds: Int64

    /// The fingerprint of the file at `path`; throws the `errno` description when it cannot be `stat`ed.
    static func of(path: String) throws(FileFingerprintError) -> FileFingerprint {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FileFingerprintError(path: path, message: String(cString: strerror(errno)))
        }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return FileFingerprint(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec)
        )
    }
}

/// A file could not be examined.
struct FileFingerprintError: Error, Sendable {
    let path: String
    let message: String
}
