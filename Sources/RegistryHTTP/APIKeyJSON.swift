import Foundation
import Hummingbird
import NIOCore
import RegistryCore
import RegistryMetadata
import RegistryPolicy

/// The JSON shapes of `/zot/auth/apikey`, as Zot names the fields.
enum APIKeyJSON {
    /// One key as shown to its owner; `apiKey` (the secret) only in the answer to its creation.
    struct Key: Encodable {
        let uuid: String
        let label: String
        let apiKey: String?
        let createdAt: String
        let expirationDate: String?
        let lastUsed: String?
        let isExpired: Bool
        let scopes: [Scope]

        init(_ record: APIKeyRecord, secret: String?, now: Date = Date()) {
            uuid = record.id
            label = record.label
            apiKey = secret
            createdAt = APIKeyJSON.format(record.createdAt)
            expirationDate = record.expiresAt.map(APIKeyJSON.format)
            lastUsed = record.lastUsedAt.map(APIKeyJSON.format)
            isExpired = record.expiresAt.map { $0 <= now } ?? false
            scopes = record.scopes.map { Scope(repositories: $0.repositories, actions: $0.actions.sorted().map(\.rawValue)) }
        }
    }

    struct Scope: Codable {
        let repositories: String
        let actions: [String]
    }

    struct List: Encodable {
        let apiKeys: [Key]
        /// The token service's refresh tokens of the same user (absent without the token service).
        let refreshTokens: [RefreshToken]?
    }

    /// A refresh token as shown to its owner (never its secret): revoke it with
    /// `DELETE /zot/auth/refreshtoken?id=<uuid>` or on the key page.
    struct RefreshToken: Encodable {
        let uuid: String
        let clientID: String?
        let createdAt: String
        let expirationDate: String
        let lastUsed: String?
        let isExpired: Bool

        init(_ record: RefreshTokenRecord, now: Date = Date()) {
            uuid = record.id
            clientID = record.clientID
            createdAt = APIKeyJSON.format(record.createdAt)
            expirationDate = APIKeyJSON.format(record.expiresAt)
            lastUsed = record.lastUsedAt.map(APIKeyJSON.format)
            isExpired = record.expiresAt <= now
        }
    }

    /// A validated creation request.
    struct Create {
        let label: String
        let expiresAt: Date?
        let scopes: [AccessScope]
    }

    private struct CreateBody: Decodable {
        let label: String?
        let expirationDate: String?
        let scopes: [RequestedScope]?
    }

    /// A scope in a creation request: `{repositories, actions}`, or Zot's plain string — a repository pattern,
    /// which here grants every action on the matching repositories (Zot stores such strings without enforcing them).
    private struct RequestedScope: Decodable {
        let repositories: String
        let actions: [String]

        init(from decoder: any Decoder) throws {
            if let pattern = try? decoder.singleValueContainer().decode(String.self) {
                repositories = pattern
                actions = RegistryAction.allCases.map(\.rawValue)
            } else {
                let scope = try Scope(from: decoder)
                repositories = scope.repositories
                actions = scope.actions
            }
        }
    }

    /// Decodes and checks a creation body; every problem is a 400 that names the field.
    static func decodeCreate(_ buffer: ByteBuffer) throws -> Create {
        let body: CreateBody
        do {
            body = try JSONDecoder().decode(CreateBody.self, from: Data(buffer.readableBytesView))
        } catch {
            throw badRequest("the body is not a JSON object {label, expirationDate, scopes}")
        }
        guard let label = body.label, !label.isEmpty else { throw badRequest("label: required") }
        var expiresAt: Date?
        if let text = body.expirationDate, !text.isEmpty {
            guard let date = parse(text) else {
                throw badRequest("expirationDate: \(JSONText.quote(String(text.prefix(64)))) is not an RFC 3339 time like 2027-01-31T00:00:00Z")
            }
            expiresAt = date
        }
        var scopes: [AccessScope] = []
        for (index, scope) in (body.scopes ?? []).enumerated() {
            var actions: Set<RegistryAction> = []
            for name in scope.actions {
                guard let action = RegistryAction(rawValue: name.lowercased()) else {
                    throw badRequest("scopes[\(index)].actions: \(JSONText.quote(String(name.prefix(32)))) is not read, create, update or delete")
                }
                actions.insert(action)
            }
            do {
                _ = try GlobPattern(scope.repositories)
            } catch {
                throw badRequest("scopes[\(index)].repositories: \(error)")
            }
            scopes.append(AccessScope(repositories: scope.repositories, actions: actions))
        }
        return Create(label: label, expiresAt: expiresAt, scopes: scopes)
    }

    static func badRequest(_ message: String) -> RegistryError {
        RegistryError(.unsupported, status: 400, message: message)
    }

    static func response(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// RFC 3339 with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
