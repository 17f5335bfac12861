/// Why the metadata database could not be opened or used. Descriptions never contain secrets or their hashes.
public enum MetadataStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The directory meant to hold the database could not be created or secured.
    case cannotCreateDirectory(path: String, reason: String)
    /// The database file could not be created, opened, secured or migrated.
    case cannotOpen(path: String, reason: String)
    /// A query failed (disk full, I/O error, locked by another process for too long, corrupt data).
    case operationFailed(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, reason):
            "cannot create the metadata directory '\(path)': \(reason)"
        case let .cannotOpen(path, reason):
            "cannot open the metadata database '\(path)': \(reason)"
        case let .operationFailed(operation, reason):
            "metadata database: \(operation) failed: \(reason)"
        }
    }
}
