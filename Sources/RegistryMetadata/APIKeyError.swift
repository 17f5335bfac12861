/// Why an API key could not be created (or, for ``storage(_:)``, why the key store failed).
public enum APIKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The label is empty, too long, or contains non-printable characters; the text says which.
    case invalidLabel(String)
    /// The requested expiry is not in the future.
    case expiryInPast
    /// The requested expiry is further away than the configured maximum lifetime.
    case lifetimeTooLong(maximumSeconds: Int)
    /// No expiry was requested, a maximum lifetime is configured, and the store is set to
    /// ``APIKeyStore/MissingExpiry/reject`` (by default it clamps to the maximum instead).
    case expiryRequired
    /// A scope is malformed (empty or blank repository glob, no actions, too many scopes); the text says which.
    case invalidScope(String)
    /// The database failed; the text is for logs and never contains a secret.
    case storage(String)

    public var description: String {
        switch self {
        case let .invalidLabel(reason): "invalid API key label: \(reason)"
        case .expiryInPast: "the API key expiry must be in the future"
        case let .lifetimeTooLong(maximumSeconds): "the API key lifetime must not exceed \(maximumSeconds) seconds"
        case .expiryRequired: "an API key expiry is required"
        case let .invalidScope(reason): "invalid API key scope: \(reason)"
        case let .storage(reason): "API key storage failed: \(reason)"
        }
    }
}
