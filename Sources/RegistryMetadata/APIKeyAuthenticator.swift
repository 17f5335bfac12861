import RegistryAuthCore
import RegistryCore

/// Accepts `Authorization: Basic user:zak_…` when the key is live and belongs to `user` (Zot's API keys).
///
/// Outcomes (see ``Authenticator``):
/// - throws ``AuthenticationFailure/Kind/invalidCredentials`` for a live key whose owner no longer exists
///   (``APIKeyOwnerCheck``);
/// - an ``Identity`` with method `.apiKey`, the groups stored with the key, its scopes (`nil` when it has none)
///   and its id as `credentialID`;
/// - `nil` for any other scheme, a password without the `zak_` prefix, and an unknown, expired, revoked or
///   someone else's key — ``AuthenticatorChain`` rejects the request when nobody accepts it;
/// - throws ``AuthenticationFailure/Kind/malformedCredentials`` for an undecodable Basic header, and
///   ``AuthenticationFailure/Kind/backendUnavailable`` when the key store cannot be read.
///
/// The lookup is a synchronous SQLite read (plus a write at most once a minute per key); see ``MetadataStore``.
public struct APIKeyAuthenticator: Authenticator {
    /// Reads the Authorization header.
    public var credentialSource: CredentialSource { .authorizationHeader }

    /// The key store consulted.
    public let keys: APIKeyStore
    /// Refuses keys whose owner no longer exists (``APIKeyOwnerCheck``); `nil` = no check.
    public let ownerCheck: APIKeyOwnerCheck?

    /// Creates an authenticator over `keys`.
    public init(keys: APIKeyStore, ownerCheck: APIKeyOwnerCheck? = nil) {
        self.keys = keys
        self.ownerCheck = ownerCheck
    }

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard let header = request.authorizationHeader,
              let credentials = try BasicCredentials.parse(header: header),
              credentials.password.hasPrefix(APIKeyStore.secretPrefix)
        else { return nil }
        let record: APIKeyRecord?
        do {
            record = try keys.verify(username: credentials.username, secret: credentials.password)
        } catch {
            throw .backendUnavailable("API key store unavailable while verifying a key of '\(credentials.username)': \(error)")
        }
        guard let record else { return nil }
        if let ownerCheck, try await !ownerCheck.ownerExists(record) {
            throw .invalidCredentials("API key \(record.id) belongs to '\(record.owner)', who no longer exists (deprovisioned)")
        }
        return Identity(
            username: record.owner,
            groups: record.groups,
            method: .apiKey,
            scopes: record.scopes.isEmpty ? nil : record.scopes,
            credentialID: record.id
        )
    }
}
