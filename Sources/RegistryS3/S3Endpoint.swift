/// Where the S3 API is served: scheme, host and port, from Zot's/Distribution's `regionendpoint` + `secure`.
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// Host name or IP literal (IPv6 without brackets).
    public var host: String
    /// Explicit port, `nil` for the scheme's default.
    public var port: Int?

    public init(scheme: String, host: String, port: Int? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// AWS's own endpoint for `region` (always https unless `secure` is false).
    public static func aws(region: String, secure: Bool = true) -> S3Endpoint {
        S3Endpoint(scheme: secure ? "https" : "http", host: "s3.\(region).amazonaws.com")
    }

    /// Parses `regionendpoint` as Zot's examples write it: `localhost:4566` (scheme from `secure`) or a URL
    /// `http://host:port` (its scheme wins). A path, query or user info is refused.
    public init(parsing text: String, secure: Bool) throws(S3Error) {
        var rest = Substring(text.trimmingSpaces())
        var scheme = secure ? "https" : "http"
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
            guard scheme == "http" || scheme == "https" else {
                throw .invalidConfiguration("regionendpoint \"\(text)\": scheme must be http or https")
            }
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("@"), !rest.contains("#") else {
            throw .invalidConfiguration("regionendpoint \"\(text)\" is not host[:port] or scheme://host[:port]")
        }
        var host = rest
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw .invalidConfiguration("regionendpoint \"\(text)\": unterminated IPv6 literal")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else {
                    throw .invalidConfiguration("regionendpoint \"\(text)\": bad port")
                }
                port = number
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]) else {
                throw .invalidConfiguration("regionendpoint \"\(text)\": bad port")
            }
            port = number
        }
        if let port, !(1...65535).contains(port) {
            throw .invalidConfiguration("regionendpoint \"\(text)\": port \(port) is out of range")
        }
        guard !host.isEmpty else { throw .invalidConfiguration("regionendpoint \"\(text)\" has no host") }
        self.init(scheme: scheme, host: String(host), port: port)
    }

    /// `host[:port]` as the `Host` header carries it (the port only when not the scheme's default).
    public var authority: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        guard let port, port != (scheme == "https" ? 443 : 80) else { return shownHost }
        return "\(shownHost):\(port)"
    }

    public var description: String { "\(scheme)://\(authority)" }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
