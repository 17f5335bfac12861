import RegistryCore

/// The `WWW-Authenticate` challenge of every 401, built in one place from `http.realm`. (A token service adds
/// its `Bearer` challenge here.)
public struct AuthenticationChallenge: Sendable, Hashable {
    /// `http.realm`, validated by the config loader (no quotes, backslashes or control characters).
    public let realm: String

    /// Creates the challenge for `realm`.
    public init(realm: String) {
        self.realm = realm
    }

    /// The header value, e.g. `Basic realm="zot-authz"`.
    public var headerValue: String { "Basic realm=\(JSONText.quote(realm))" }
}
