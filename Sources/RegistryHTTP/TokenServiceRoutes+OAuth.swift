import Foundation
import HTTPTypes
import Hummingbird
import RegistryAuthCore
import RegistryCore
import RegistryMetadata

extension TokenServiceRoutes {
    /// `POST /auth/token` (Distribution's OAuth2 token spec), a form with `grant_type=password` (`username`,
    /// `password`, optional `access_type=offline` for a refresh token) or `grant_type=refresh_token`
    /// (`refresh_token`), plus `service`, `scope`, `client_id`. Wrong credentials are 401 after `failDelay`.
    func oauthToken(_ request: Request, _ context: RegistryRequestContext) async throws -> Response {
        let form = try await AccountPages.formFields(request, context)
        try checkService(form["service"])
        let requested = try Self.requestedAccess(form["scope"].map { [$0] } ?? [])
        let clientID = form["client_id"]
        switch form["grant_type"] {
        case "password":
            let identity = try await passwordIdentity(request, context, username: form["username"] ?? "", password: form["password"] ?? "")
            let refresh = form["access_type"] == "offline" ? try newRefreshToken(request, context, identity, clientID: clientID) : nil
            return try issue(request, context, identity: identity, requested: requested, method: "password", refreshToken: refresh)
        case "refresh_token":
            let identity = try await refreshIdentity(request, context, secret: form["refresh_token"] ?? "")
            return try issue(request, context, identity: identity, requested: requested, method: "refresh_token", refreshToken: nil)
        case Self.tokenExchangeGrant?:
            let identity = try await exchangedIdentity(request, context, form)
            return try issue(request, context, identity: identity, requested: requested, method: "token-exchange", refreshToken: nil,
                             exchanged: true)
        case let other?:
            throw RegistryError(.unsupported, status: 400, message: "grant_type '\(Self.clip(other))' is not supported (\(Self.supportedGrants))")
        case nil:
            throw RegistryError(.unsupported, status: 400, message: "grant_type is required (\(Self.supportedGrants))")
        }
    }

    static let tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let supportedGrants = "password, refresh_token, \(tokenExchangeGrant)"
    /// The subject token types accepted for an exchange: a JWT from a configured `bearer.oidc` issuer.
    static let subjectTokenTypes: Set<String> = ["urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token"]

    /// RFC 8693: `subject_token` (a CI OIDC JWT) is verified exactly as `Authorization: Bearer` would be, and only a
    /// `bearer.oidc` identity may be exchanged (a registry token, an API key or a password may not).
    private func exchangedIdentity(_ request: Request, _ context: RegistryRequestContext, _ form: [String: String]) async throws -> Identity {
        guard let type = form["subject_token_type"], Self.subjectTokenTypes.contains(type) else {
            throw RegistryError(.unsupported, status: 400,
                                message: "subject_token_type must be one of \(Self.subjectTokenTypes.sorted().joined(separator: ", "))")
        }
        guard let subject = form["subject_token"], !subject.isEmpty, !subject.contains(" ") else {
            throw RegistryError(.unsupported, status: 400, message: "subject_token is required")
        }
        if form["actor_token"] != nil {
            throw RegistryError(.unsupported, status: 400, message: "actor_token (delegation) is not supported")
        }
        let identity: Identity
        do {
            identity = try await options.chain.authenticate(AuthenticationRequest(authorizationHeaders: ["Bearer " + subject]))
        } catch {
            audit.recordAccountEvent(request, context, event: "token-refused", result: .authFailure, user: nil,
                                     authMethod: "token-exchange", reason: error.kind.rawValue)
            options.metrics?.countTokenRefused(grant: "token-exchange")
            if error.kind == .backendUnavailable { throw RegistryError(.unavailable, detail: "token issuer unavailable") }
            await options.failDelay.apply(for: error)
            throw RegistryError(.unauthorized, detail: "subject_token rejected")
        }
        guard identity.method == .bearer else {
            throw RegistryError(.unsupported, status: 400, message: "subject_token must be a JWT from a configured bearer.oidc issuer")
        }
        return identity
    }

    /// The identity of `username`/`password`, authenticated by the same chain as Basic on any request.
    private func passwordIdentity(_ request: Request, _ context: RegistryRequestContext, username: String,
                                  password: String) async throws -> Identity {
        guard !username.isEmpty, !password.isEmpty else {
            throw RegistryError(.unsupported, status: 400, message: "grant_type=password needs username and password")
        }
        let header = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        // The same per-user-name budget as Basic logins: the token endpoint is no way around it.
        if let budget = options.loginBudget {
            try LoginThrottle.enforce(budget, name: username, request: request, context: context, audit: audit, metrics: options.metrics)
        }
        do {
            let identity = try await options.chain.authenticate(AuthenticationRequest(authorizationHeaders: [header]))
            if identity.username == username { options.loginBudget?.recordSuccess(for: username) }
            return identity
        } catch {
            if error.kind == .invalidCredentials { options.loginBudget?.recordFailure(for: username) }
            audit.recordAccountEvent(request, context, event: "token-refused", result: .authFailure, user: username,
                                     authMethod: "password", reason: error.kind.rawValue)
            options.metrics?.countTokenRefused(grant: "password")
            if error.kind == .backendUnavailable { throw RegistryError(.unavailable, detail: "authentication backend unavailable") }
            await options.failDelay.apply(for: error)
            throw RegistryError(.unauthorized, detail: "authentication failed")
        }
    }

    /// The identity a refresh token stands for, when it is live and its owner still exists.
    private func refreshIdentity(_ request: Request, _ context: RegistryRequestContext, secret: String) async throws -> Identity {
        guard let store = options.refreshTokens else {
            throw RegistryError(.unsupported, status: 400, message: "refresh tokens are not enabled")
        }
        guard let record = try store.redeem(secret), try await ownerExists(record) else {
            audit.recordAccountEvent(request, context, event: "token-refused", result: .authFailure, user: nil,
                                     authMethod: "refresh_token", reason: "unknown, expired, revoked or orphaned refresh token")
            options.metrics?.countTokenRefused(grant: "refresh_token")
            await options.failDelay.apply()
            throw RegistryError(.unauthorized, detail: "invalid refresh token")
        }
        audit.recordAccountEvent(request, context, event: "token-refreshed", result: .allow, user: record.owner, groups: record.groups,
                                 authMethod: record.ownerSource, credentialID: record.id)
        return Identity(username: record.owner, groups: record.groups,
                        method: Identity.Method(rawValue: record.ownerSource) ?? .htpasswd, credentialID: record.id)
    }

    /// Whether the owner of `record` still exists in the directory it signed in from (browser users cannot be checked).
    private func ownerExists(_ record: RefreshTokenRecord) async throws -> Bool {
        guard record.ownerSource == Identity.Method.htpasswd.rawValue || record.ownerSource == Identity.Method.ldap.rawValue else { return true }
        guard let directory = options.directories.first(where: { $0.accountMethod.rawValue == record.ownerSource }) else { return false }
        do {
            return try await directory.accountExists(record.owner)
        } catch {
            throw RegistryError(.unavailable, detail: "account directory unavailable")
        }
    }

    /// A new refresh token for `identity`, or `nil` when it may not hold one (anonymous, API key, certificate, token)
    /// or refresh tokens are off.
    func newRefreshToken(_ request: Request, _ context: RegistryRequestContext, _ identity: Identity, clientID: String?) throws -> String? {
        guard let store = options.refreshTokens, let owner = identity.username, Self.refreshTokenMethods.contains(identity.method) else {
            return nil
        }
        let issued = try store.issue(owner: owner, groups: identity.groups, ownerSource: identity.method.rawValue,
                                     clientID: clientID.map { Self.clip($0) }, lifetime: TimeInterval(options.refreshLifetimeSeconds))
        audit.recordAccountEvent(request, context, event: "refresh-token-issued", result: .allow, user: owner, groups: identity.groups,
                                 authMethod: identity.method.rawValue, credentialID: issued.record.id,
                                 reason: "lifetime \(options.refreshLifetimeSeconds)s")
        return issued.secret
    }
}
