import Foundation

/// Zot's sync `credentialsFile`: a JSON object mapping `host[:port]` to `{"username": …, "password": …}`.
public struct UpstreamCredentials: Sendable, Hashable {
    /// One upstream's login. `description` never shows the password.
    public struct Login: Sendable, Hashable, CustomStringConvertible {
        public let username: String
        public let password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public var description: String { "Login(username: \(username), password: <redacted>)" }
    }

    /// Logins by lower-cased `host[:port]`.
    public let logins: [String: Login]

    public init(logins: [String: Login] = [:]) {
        self.logins = Dictionary(logins.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The login for `host` and `port`: an exact `host:port` entry first, then the bare host.
    public func login(host: String, port: Int?) -> Login? {
        let host = host.lowercased()
        if let port, let login = logins["\(host):\(port)"] { return login }
        return logins[host]
    }

    /// Parses the file's bytes; the error says which entry is wrong and why (never echoing a password).
    public static func parse(_ bytes: [UInt8]) throws(UpstreamCredentialsError) -> UpstreamCredentials {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw UpstreamCredentialsError(reason: "is not valid JSON")
        }
        guard let entries = object as? [String: Any] else {
            throw UpstreamCredentialsError(reason: "must be a JSON object mapping host[:port] to {\"username\", \"password\"}")
        }
        var logins: [String: Login] = [:]
        for (host, value) in entries.sorted(by: { $0.key < $1.key }) {
            guard Self.isHostAndPort(host) else {
                throw UpstreamCredentialsError(reason: "key \"\(host.prefix(100))\" is not host[:port] (no scheme, no path)")
            }
            guard let fields = value as? [String: Any] else {
                throw UpstreamCredentialsError(reason: "entry \"\(host)\" must be an object with username and password")
            }
            let lowered = Dictionary(fields.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            if let unknown = lowered.keys.sorted().first(where: { $0 != "username" && $0 != "password" }) {
                throw UpstreamCredentialsError(reason: "entry \"\(host)\": unknown key \"\(unknown.prefix(100))\" (expected username and password)")
            }
            guard let username = lowered["username"] as? String, let password = lowered["password"] as? String else {
                throw UpstreamCredentialsError(reason: "entry \"\(host)\" needs string username and password")
            }
            logins[host.lowercased()] = Login(username: username, password: password)
        }
        return UpstreamCredentials(logins: logins)
    }

    /// `host` or `host:port`, where host is a DNS name, IPv4 address or `[IPv6]`.
    static func isHostAndPort(_ text: String) -> Bool {
        guard !text.isEmpty, !text.contains("/"), !text.contains("@"), !text.contains(where: \.isWhitespace) else { return false }
        var host = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let port = Int(after.dropFirst()), (1...65535).contains(port) else { return false }
            }
            return true
        }
        if let colon = text.lastIndex(of: ":") {
            guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return false }
            host = text[..<colon]
        }
        return !host.isEmpty && host.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
    }
}

/// Why a credentials file cannot be used.
public struct UpstreamCredentialsError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
