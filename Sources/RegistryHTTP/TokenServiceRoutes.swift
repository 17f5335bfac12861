import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryCore
import RegistryOIDC
import RegistryPolicy

/// What the built-in token service needs: the signer (key, issuer, service) and the token lifetime.
public struct TokenServiceOptions: Sendable {
    /// Signs tokens; its `service` is the challenge's `service` and every token's `aud`.
    public var signer: RegistryTokenSigner
    /// Seconds a token lives (`tokenService.lifetime`).
    public var lifetimeSeconds: Int
    /// The token endpoint URL named by the challenge (`<externalUrl>/auth/token`).
    public var realm: String
    /// The token endpoint's path.
    public static let tokenPath = "/auth/token"

    /// Creates the options.
    public init(signer: RegistryTokenSigner, lifetimeSeconds: Int, realm: String) {
        self.signer = signer
        self.lifetimeSeconds = lifetimeSeconds
        self.realm = realm
    }
}

/// `GET /auth/token` (Distribution's token authentication) and `GET /.well-known/jwks.json`.
///
/// The caller is whoever the authenticator chain says (Basic htpasswd/LDAP/API key, mTLS, or anonymous; wrong
/// credentials were already refused with 401 after `failDelay`). The token grants the requested scopes
/// intersected with policy (``AccessPolicy/grantedAccess(_:requested:)``) — possibly nothing, never a 401 for an
/// anonymous caller. A registry token cannot be traded for another (that would extend it forever).
struct TokenServiceRoutes: Sendable {
    static let tokenPath = TokenServiceOptions.tokenPath
    static let jwksPath = "/.well-known/jwks.json"
    /// The most scopes one request may ask for.
    static let maximumScopes = 64

    let options: TokenServiceOptions
    let policy: AccessPolicy
    let audit: AuditRecorder

    func register(on router: Router<RegistryRequestContext>) {
        router.get(RouterPath(Self.tokenPath)) { request, context in try token(request, context) }
        let jwks = options.signer.jwksJSON
        router.get(RouterPath(Self.jwksPath)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
    }

    func token(_ request: Request, _ context: RegistryRequestContext) throws -> Response {
        let identity = context.identity
        let parameters = request.uri.queryParameters
        if identity.method == .registryToken {
            throw RegistryError(.unauthorized, message: "a registry token cannot be exchanged for another; send the credentials")
        }
        if let service = parameters.get("service"), service != options.signer.service {
            throw RegistryError(.unsupported, status: 400, message: "service '\(Self.clip(service))' is not this registry's ('\(options.signer.service)')")
        }
        if let account = parameters.get("account"), !account.isEmpty, let username = identity.username, account != username {
            throw RegistryError(.unsupported, status: 400, message: "account '\(Self.clip(account))' is not the authenticated user")
        }
        let requested = try Self.requestedAccess(parameters[values: "scope"].map { String($0) })
        let granted = policy.grantedAccess(identity, requested: requested)
        let issued: RegistryTokenSigner.IssuedToken
        do {
            issued = try options.signer.issue(subject: identity.username, access: granted, lifetime: options.lifetimeSeconds)
        } catch {
            throw RegistryError(.unknown, detail: "token signing failed: \(error)")
        }
        audit.recordAccountEvent(request, context, event: "token-issued", result: .allow, user: identity.username,
                                 groups: identity.groups, authMethod: identity.method.rawValue, credentialID: issued.tokenID,
                                 reason: "requested \(Self.describe(requested)) granted \(Self.describe(granted)) for \(issued.expiresIn)s")
        let body = TokenResponse(token: issued.token, access_token: issued.token, expires_in: issued.expiresIn,
                                 issued_at: Self.timestamp(issued.issuedAt))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }

    /// Every `scope` parameter, each possibly several space-separated scopes; a malformed one is a 400.
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
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Distribution's token response.
    struct TokenResponse: Encodable {
        let token: String
        let access_token: String
        let expires_in: Int
        let issued_at: String
    }
}
