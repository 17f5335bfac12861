import Foundation
import RegistryCore

/// A user name and password from an HTTP `Authorization: Basic …` header (RFC 7617).
public struct BasicCredentials: Sendable, Hashable {
    /// The user name (text before the first colon); never empty.
    public let username: String
    /// The password (text after the first colon; may itself contain colons, may be empty).
    public let password: String

    /// Creates credentials directly.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Parses an `Authorization` header value.
    ///
    /// - Returns: `nil` when the scheme is not `Basic` (compared case-insensitively), so other
    ///   authenticators may handle it.
    /// - Throws: ``AuthenticationFailure/Kind/malformedCredentials`` when the scheme is Basic but the
    ///   payload is not base64, not UTF-8, lacks the colon, has an empty user name, or contains NUL
    ///   (which C APIs such as `crypt` would silently truncate at).
    public static func parse(header: String) throws(AuthenticationFailure) -> BasicCredentials? {
        let trimmed = header.trimmingHTTPWhitespace()
        let schemeEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        guard trimmed[..<schemeEnd].lowercased() == "basic" else { return nil }
        let token = String(trimmed[schemeEnd...].trimmingHTTPWhitespace())
        guard !token.isEmpty else { throw .malformedCredentials("Basic credentials are empty") }
        guard let decoded = decodeBase64(token) else {
            throw .malformedCredentials("Basic credentials are not valid base64")
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw .malformedCredentials("Basic credentials are not valid UTF-8")
        }
        guard !text.utf8.contains(0) else {
            throw .malformedCredentials("Basic credentials contain a NUL character")
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw .malformedCredentials("Basic credentials lack the ':' separating user and password")
        }
        let username = String(text[..<colon])
        guard !username.isEmpty else { throw .malformedCredentials("Basic credentials have an empty user name") }
        return BasicCredentials(username: username, password: String(text[text.index(after: colon)...]))
    }

    /// The header value `Basic base64(user:password)`.
    public var headerValue: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// Strict base64 (standard alphabet); missing trailing padding is tolerated.
    private static func decodeBase64(_ token: String) -> [UInt8]? {
        let allowed = token.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2B || byte == 0x2F || byte == 0x3D
        }
        guard allowed else { return nil }
        var padded = token
        let remainder = padded.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { padded += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: padded).map { [UInt8]($0) }
    }
}
