import Foundation
import RegistryAuthCore
import RegistryCore

/// Accepts `Authorization: Bearer <registry token>`: Docker-format tokens from the token server of
/// `http.auth.bearer {realm, service, cert}` (or from the built-in token service), verified by
/// ``RegistryTokenVerifier``.
///
/// Outcomes: no `Authorization` header, another scheme, or a token not addressed to our service (`aud`) → `nil`
/// (an OIDC bearer JWT may follow in the chain); a token addressed to us that fails any check →
/// ``AuthenticationFailure/invalidCredentials(_:)``.
///
/// Identity: user name `sub` (anonymous when empty), groups only from our own tokens, method `registry-token`, and the token's `access`
/// as ``Identity/scopes`` — so ``AccessPolicy`` allows a request only where the token's access **and** the policy
/// for `sub` both allow it.
public struct RegistryTokenAuthenticator: Authenticator {
    /// Reads the Authorization header.
    public var credentialSource: CredentialSource { .authorizationHeader }

    /// The verifier (key, service, issuer, leeway).
    public let verifier: RegistryTokenVerifier
    private let cache: VerifiedTokenCache

    /// Creates the authenticator; `now` is the clock of its verified-token cache (the verifier has its own).
    public init(verifier: RegistryTokenVerifier, now: @escaping @Sendable () -> Date = { Date() }) {
        self.verifier = verifier
        cache = VerifiedTokenCache(now: now)
    }

    /// How many verified tokens are remembered (for tests).
    var cachedTokenCount: Int { cache.count }

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard let header = request.authorizationHeader, let token = BearerJWTAuthenticator.bearerToken(in: header) else { return nil }
        guard !token.isEmpty else { throw .invalidCredentials("empty bearer token") }
        if let claims = cache.claims(for: token) { return Self.identity(claims) }
        guard verifier.isAddressedToUs(token) else { return nil }
        let claims: RegistryTokenVerifier.Claims
        do { claims = try verifier.verify(token) } catch { throw .invalidCredentials("registry token rejected: \(error)") }
        cache.store(claims, for: token, expiresAt: claims.expiresAt)
        return Self.identity(claims)
    }

    /// The identity a verified token stands for.
    public static func identity(_ claims: RegistryTokenVerifier.Claims) -> Identity {
        let scopes = DockerAccess.scopes(claims.access)
        guard let subject = claims.subject else {
            return .anonymous(method: .registryToken, scopes: scopes, credentialID: claims.tokenID)
        }
        return Identity(username: subject, groups: claims.groups, method: .registryToken, scopes: scopes, credentialID: claims.tokenID)
    }
}
