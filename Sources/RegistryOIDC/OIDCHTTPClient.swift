import Foundation

/// The little HTTP an OpenID relying party needs; injectable so tests can serve discovery, keys and tokens.
///
/// Implementations throw only for transport failures (connection, TLS, timeout, oversized body); any HTTP
/// status is returned as a response.
public protocol OIDCHTTPClient: Sendable {
    /// `GET url`.
    func get(_ url: String) async throws -> OIDCHTTPResponse
    /// `POST url` with an `application/x-www-form-urlencoded` body made of `fields`, optionally with HTTP Basic
    /// client authentication (`client_secret_basic`).
    func postForm(_ url: String, fields: [(String, String)], basicAuth: (user: String, password: String)?) async throws -> OIDCHTTPResponse
}

/// An HTTP answer: status and the complete body.
public struct OIDCHTTPResponse: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The body bytes.
    public let body: [UInt8]

    /// Creates a response.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// `application/x-www-form-urlencoded` encoding as OAuth 2 requires (RFC 6749 appendix B).
public enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// One name or value, percent-encoded (space becomes `%20`, which every form decoder accepts).
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// `name=value&…`.
    public static func body(_ fields: [(String, String)]) -> String {
        fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// The `Authorization: Basic …` value for client credentials: each part form-encoded first (RFC 6749 §2.3.1).
    public static func basicAuthorization(user: String, password: String) -> String {
        "Basic " + Data("\(encode(user)):\(encode(password))".utf8).base64EncodedString()
    }
}
