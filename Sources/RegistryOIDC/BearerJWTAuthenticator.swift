import Foundation
import Logging
import RegistryAuthCore
import RegistryCore

/// Accepts `Authorization: Bearer <jwt>` signed by one of the configured OIDC issuers (Zot's
/// `http.auth.bearer.oidc`, workload identity such as CI tokens), and the same JWT as a Basic password under the user
/// name `oauth2accesstoken`, `<token>` or the mapped user name (Basic-only clients, the token endpoint).
///
/// The token's `iss` (read before verification) only selects which configured issuer verifies it; the token
/// is then fully verified against that issuer alone (``OIDCTokenVerifier``: signature per JWKS, pinned
/// asymmetric algorithm, `iss`, `aud` against that issuer's audiences, `exp`/`nbf`/`iat`).
///
/// Outcomes: no `Authorization` header or another scheme → `nil`; a bearer token that fails any check, names an
/// issuer that is not configured, or lacks the user-name claim → ``AuthenticationFailure/invalidCredentials(_:)``
/// (401, `failDelay` applies); the issuer cannot be reached or serves broken metadata/keys →
/// ``AuthenticationFailure/backendUnavailable(_:)``.
///
/// Identity: user name `<iss>/<sub>` (Zot's default `claims.iss + '/' + claims.sub`), or the claim named by
/// `claims.username`; groups from the claim named by `claims.groups` (default `groups`; an array of strings or one
/// string), method `.bearer`.
/// With CEL claim mappings (``BearerIssuerSettings/expressions``) the user name, groups and validations follow Zot's
/// `claimMapping` (``ClaimExpressions``); a failed validation refuses the token with its message.
public struct BearerJWTAuthenticator: Authenticator {
    /// Reads the Authorization header.
    public var credentialSource: CredentialSource { .authorizationHeader }

    private struct Issuer: Sendable {
        let config: BearerIssuerSettings
        let context: OIDCIssuerContext
    }

    private let issuers: [Issuer]
    private let logger: Logger
    private let leeway: Duration
    private let now: @Sendable () -> Date

    /// Creates the authenticator with one HTTP client for every issuer.
    ///
    /// - Parameters:
    ///   - issuers: the accepted issuers; each token is verified against the one its `iss` names.
    ///   - http: fetches discovery documents and key sets.
    ///   - logger: receives provider failures (never tokens).
    ///   - leeway: tolerated clock difference for `exp`/`nbf`/`iat`.
    ///   - now: the wall clock (injectable for tests).
    public init(issuers: [BearerIssuerSettings], http: any OIDCHTTPClient, logger: Logger, leeway: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(issuers: issuers, logger: logger, leeway: leeway, now: now, httpClient: { _ in http })
    }

    /// Creates the authenticator with an HTTP client per issuer (e.g. one trusting that issuer's
    /// `certificateAuthority`, see `AsyncOIDCHTTPClient.init(trustingCAOf:timeout:)` in RegistryOIDCHTTP).
    public init(issuers: [BearerIssuerSettings], logger: Logger, leeway: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() },
                httpClient: (BearerIssuerSettings) throws -> any OIDCHTTPClient) rethrows {
        self.issuers = try issuers.map { config in
            Issuer(config: config, context: OIDCIssuerContext(issuer: config.issuer, http: try httpClient(config), now: now))
        }
        self.logger = logger
        self.leeway = leeway
        self.now = now
    }

    /// Basic user names under which a Basic-only client (skopeo, the token endpoint) may send a JWT as the password,
    /// besides the user name the token maps to.
    public static let jwtPasswordUsernames: Set<String> = ["oauth2accesstoken", "<token>"]

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard let header = request.authorizationHeader else { return nil }
        if let token = Self.bearerToken(in: header) {
            guard !token.isEmpty else { throw .invalidCredentials("empty bearer token") }
            return try await authenticate(token: token)
        }
        // A JWT of a configured issuer as the Basic password: for clients that only speak Basic. Anything else that
        // is Basic is not ours (password sources and API keys come first in the chain).
        guard let basic = (try? BasicCredentials.parse(header: header)) ?? nil,
              let jws = try? CompactJWS(basic.password), let tokenIssuer = jws.claims["iss"]?.stringValue,
              issuers.contains(where: { OIDCIssuer.matches($0.config.issuer, tokenIssuer) }) else { return nil }
        guard let identity = try await authenticate(token: basic.password) else { return nil }
        guard Self.jwtPasswordUsernames.contains(basic.username) || basic.username == identity.username else {
            throw .invalidCredentials("Basic user name does not match the JWT's mapped user (use oauth2accesstoken)")
        }
        return identity
    }

    private func authenticate(token: String) async throws(AuthenticationFailure) -> Identity? {
        let unverified: CompactJWS
        do { unverified = try CompactJWS(token) } catch { throw .invalidCredentials("bearer token rejected: \(error)") }
        guard let tokenIssuer = unverified.claims["iss"]?.stringValue else {
            throw .invalidCredentials("bearer token has no 'iss' claim")
        }
        guard let issuer = issuers.first(where: { OIDCIssuer.matches($0.config.issuer, tokenIssuer) }) else {
            throw .invalidCredentials("bearer token issuer '\(OIDCError.quote(tokenIssuer))' is not an accepted issuer")
        }
        let claims: VerifiedClaims
        do {
            let keys = try await issuer.context.resolve().keys
            let verifier = OIDCTokenVerifier(issuer: issuer.config.issuer, audiences: issuer.config.audiences, keys: keys,
                                             leeway: leeway, now: now)
            claims = try await verifier.verify(token)
        } catch where error.isProviderFailure {
            logger.warning("OIDC issuer unavailable", metadata: ["issuer": "\(issuer.config.issuer)", "error": "\(error)"])
            throw .backendUnavailable("issuer \(issuer.config.issuer): \(error)")
        } catch {
            throw .invalidCredentials("bearer token from \(issuer.config.issuer) rejected: \(error)")
        }
        return try Self.identity(from: claims, issuer: issuer.config)
    }

    /// The identity named by verified `claims` of a token from `issuer`: user name from the claim named by
    /// `claims.username` (must be a non-empty string; without a mapping `<iss>/<sub>`), groups from the claim named by
    /// `claims.groups` (default `groups`), method `.bearer`. Also used by the policy dry-run.
    public static func identity(from claims: VerifiedClaims, issuer: BearerIssuerSettings) throws(AuthenticationFailure) -> Identity {
        if let expressions = issuer.expressions {
            let mapped: (username: String?, groups: [String]?)
            do throws(ClaimExpressionError) { mapped = try expressions.identity(claims.claims) } catch {
                throw .invalidCredentials("bearer token from \(issuer.issuer) refused by \(error)")
            }
            let groups = mapped.groups ?? claims.strings("groups")
            return Identity(username: mapped.username ?? claims.issuer + "/" + claims.subject, groups: groups, method: .bearer)
        }
        let username: String
        if let usernameClaim = issuer.claims?.username, usernameClaim != Self.zotDefaultUsernameMapping {
            guard let value = claims.string(usernameClaim), !value.isEmpty else {
                throw .invalidCredentials("bearer token from \(issuer.issuer) has no string claim '\(usernameClaim)' for the user name")
            }
            username = value
        } else {
            // Zot's default claim mapping `claims.iss + '/' + claims.sub`: a token with `sub=admin` is never the
            // local (htpasswd/LDAP) user `admin`.
            username = claims.issuer + "/" + claims.subject
        }
        let groups = claims.strings(issuer.claims?.groups ?? "groups")
        return Identity(username: username, groups: groups, method: .bearer)
    }

    /// Zot's default `claimMapping.username` CEL expression, accepted when written out explicitly.
    public static let zotDefaultUsernameMapping = "claims.iss + '/' + claims.sub"

    /// The credentials after `Bearer ` (scheme case-insensitive, surrounding blanks removed); `nil` for other schemes.
    static func bearerToken(in header: String) -> String? {
        let trimmed = header.trimmingHTTPWhitespace()
        let parts = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let scheme = parts.first, scheme.lowercased() == "bearer" else { return nil }
        return parts.count > 1 ? String(parts[1].trimmingHTTPWhitespace()) : ""
    }
}
