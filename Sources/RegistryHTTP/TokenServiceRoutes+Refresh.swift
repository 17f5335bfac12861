import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryCore
import RegistryMetadata

extension TokenServiceRoutes {
    /// `GET /zot/auth/refreshtoken`: the caller's refresh tokens (never their secrets).
    func listRefreshTokens(_ context: RegistryRequestContext) throws -> Response {
        let owner = try refreshTokenOwner(context)
        let records = try options.refreshTokens?.list(owner: owner) ?? []
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(["refreshTokens": records]))))
    }

    /// `DELETE /zot/auth/refreshtoken?id=<uuid>` revokes one of the caller's tokens; an admin (`adminPolicy`) revokes
    /// every token of a user with `?username=<user>`.
    func revokeRefreshTokens(_ request: Request, _ context: RegistryRequestContext) throws -> Response {
        let owner = try refreshTokenOwner(context)
        guard let store = options.refreshTokens else { throw RegistryError(.unsupported, status: 404) }
        let parameters = request.uri.queryParameters
        if let username = parameters.get("username") {
            guard policy.isAdmin(context.identity) else {
                throw RegistryError(.denied, message: "only an admin (adminPolicy) may revoke another user's refresh tokens")
            }
            let count = try store.revokeAll(owner: username)
            audit.recordAccountEvent(request, context, event: "refresh-tokens-revoked", result: .allow, user: owner,
                                     reason: "all \(count) of \(Self.clip(username))")
            return Response(status: .ok)
        }
        guard let id = parameters.get("id"), !id.isEmpty else {
            throw RegistryError(.unsupported, status: 400, message: "give id=<refresh token id> (or username= as an admin)")
        }
        guard try store.revoke(id: id, owner: owner) else {
            throw RegistryError(.nameUnknown, status: 404, message: "no refresh token '\(Self.clip(id))' of yours")
        }
        audit.recordAccountEvent(request, context, event: "refresh-token-revoked", result: .allow, user: owner, credentialID: id)
        return Response(status: .ok)
    }

    private func refreshTokenOwner(_ context: RegistryRequestContext) throws -> String {
        guard let user = context.identity.username, context.identity.method != .registryToken else {
            throw RegistryError(.unauthorized, detail: "sign in to manage refresh tokens")
        }
        return user
    }
}
