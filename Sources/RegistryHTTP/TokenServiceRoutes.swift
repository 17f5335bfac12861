import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryCore
import RegistryOIDC
import RegistryPolicy

/// The built-in token service: `GET /auth/token` (Distribution's token authentication), `POST /auth/token`
/// (its OAuth2 grants, see `TokenServiceRoutes+OAuth.swift`) and `GET /.well-known/jwks.json`.
///
/// A GET caller is whoever the authenticator chain says (Basic htpasswd/LDAP/API key, mTLS, or anonymous; wrong
/// credentials were already refused with 401 after `failDelay`). The token grants the requested scopes
/// intersected with policy (``AccessPolicy/grantedAccess(_:requested:)``) — possibly nothing, never a 401 for an
/// anonymous caller. A registry token cannot be traded for another (that would extend it forever).
struct TokenServiceRoutes: Sendable {
    static let tokenPath = TokenServiceOptions.tokenPath
    static let jwksPath = "/.well-known/jwks.json"
    static let refreshTokensPath = "/zot/auth/refreshtoken"
    /// The most scopes one request may ask for.
    static let maximumScopes = 64
    /// Who may hold a refresh token: people who signed in with a password or a browser session. A scoped API key or
    /// a client certificate must not turn into a long-lived unscoped credential.
    static let refreshTokenMethods: Set<Identity.Method> = [.htpasswd, .ldap, .oidcSession]

    let options: TokenServiceOptions
    /// The live policy (replaced by a config reload); read once per request.
    let policies: Reloadable<AccessPolicy>
    var policy: AccessPolicy { policies.value }
    let audit: AuditRecorder

    func register(on router: Router<RegistryRequestContext>) {
        router.get(RouterPath(Self.tokenPath)) { request, context in try token(request, context) }
        router.post(RouterPath(Self.tokenPath)) { request, context in try await oauthToken(request, context) }
        let jwks = options.signer.jwksJSON
        router.get(RouterPath(Self.jwksPath)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
        if options.refreshTokens != nil {
            router.get(RouterPath(Self.refreshTokensPath)) { _, context in try listRefreshTokens(context) }
            router.delete(RouterPath(Self.refreshTokensPath)) { request, context in try revokeRefreshTokens(request, context) }
        }
    }

    /// `GET /auth/token?service=&scope=…[&offline_token=true][&account=]`.
    func token(_ request: Request, _ context: RegistryRequestContext) throws -> Response {
        let identity = context.identity
        let parameters = request.uri.queryParameters
        if identity.method == .registryToken {
            throw RegistryError(.unauthorized, message: "a registry token cannot be exchanged for another; send the credentials")
        }
        try checkService(parameters.get("service"))
        // `account` is the Basic user name the client sent: it must be the authenticated user, or the placeholder
        // under which Basic-only clients send a CI JWT as the password.
        if let account = parameters.get("account"), !account.isEmpty, let username = identity.username, account != username,
           !(identity.method == .bearer && BearerJWTAuthenticator.jwtPasswordUsernames.contains(account)) {
            throw RegistryError(.unsupported, status: 400, message: "account '\(Self.clip(account))' is not the authenticated user")
        }
        let requested = try Self.requestedAccess(parameters[values: "scope"].map { String($0) })
        let offline = parameters.get("offline_token")?.lowercased() == "true"
        return try issue(request, context, identity: identity, requested: requested, method: "get",
                         refreshToken: offline ? try newRefreshToken(request, context, identity, clientID: parameters.get("client_id")) : nil)
    }

    /// Signs a token for `identity` granting `requested` ∩ policy, audits it, and answers Distribution's JSON.
    func issue(_ request: Request, _ context: RegistryRequestContext, identity: Identity, requested: [DockerAccess], method: String,
               refreshToken: String?, exchanged: Bool = false) throws -> Response {
        let granted = policy.grantedAccess(identity, requested: requested)
        let issued: RegistryTokenSigner.IssuedToken
        do {
            issued = try options.signer.issue(subject: identity.username, groups: identity.isAnonymous ? [] : identity.groups,
                                              access: granted, lifetime: options.lifetimeSeconds)
        } catch {
            throw RegistryError(.unknown, detail: "token signing failed: \(error)")
        }
        options.metrics?.countTokenIssued(grant: method, identityMethod: identity.method.rawValue)
        audit.recordAccountEvent(request, context, event: exchanged ? "token-exchanged" : "token-issued", result: .allow, user: identity.username,
                                 groups: identity.groups, authMethod: identity.method.rawValue, credentialID: issued.tokenID,
                                 reason: "\(method): requested \(Self.describe(requested)) granted \(Self.describe(granted)) for \(issued.expiresIn)s")
        let body = TokenResponse(token: issued.token, access_token: issued.token, expires_in: issued.expiresIn,
                                 issued_at: Self.timestamp(issued.issuedAt), refresh_token: refreshToken,
                                 issued_token_type: exchanged ? "urn:ietf:params:oauth:token-type:access_token" : nil,
                                 token_type: exchanged ? "Bearer" : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }

    func checkService(_ service: String?) throws {
        if let service, service != options.signer.service {
            throw RegistryError(.unsupported, status: 400, message: "service '\(Self.clip(service))' is not this registry's ('\(options.signer.service)')")
        }
    }

    /// Every `scope` value, each possibly several space-separated scopes; a malformed one is a 400.
    static func requestedAccess(_ values: [String]) throws -> [DockerAccess] {
        var requested: [DockerAccess] = []
        for value in values {
            for scope in value.split(separator: " ", omittingEmptySubsequences: true) {
                guard let access = DockerAccess(scope: scope) else {
                    throw RegistryError(.unsupported, status: 400, message: "scope '\(clip(scope))' is not TYPE:NAME:ACTIONS")
                }
                requested.append(access)
            }
        }
        guard requested.count <= maximumScopes else {
            throw RegistryError(.unsupported, status: 400, message: "at most \(maximumScopes) scopes may be requested at once")
        }
        return requested
    }

    static func describe(_ access: [DockerAccess]) -> String {
        access.isEmpty ? "[]" : "[" + access.map(\.description).joined(separator: " ") + "]"
    }

    static func clip(_ text: some StringProtocol) -> String {
        String(text.prefix(80).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }

    static func timestamp(_ date: Date) -> String {
        RFC3339Time.string(from: date)
    }

    /// Distribution's token response (`refresh_token` only for offline requests).
    struct TokenResponse: Encodable {
        let token: String
        let access_token: String
        let expires_in: Int
        let issued_at: String
        let refresh_token: String?
        /// RFC 8693 responses only.
        let issued_token_type: String?
        let token_type: String?
    }
}
