/// The htpasswd file could not be loaded.
public enum HtpasswdLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be `stat`ed or read.
    case unreadable(path: String, reason: String)
    /// The file is not UTF-8 text.
    case notText(path: String)
    /// libcrypt could not make a salt for the unknown-user decoy hash of the file's scheme.
    case dummyHashFailed(scheme: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read htpasswd file \(path): \(reason)"
        case .notText(let path): "htpasswd file \(path) is not UTF-8 text"
        case .dummyHashFailed(let scheme): "libcrypt could not generate a \(scheme) salt for the unknown-user decoy hash"
        }
    }
}
