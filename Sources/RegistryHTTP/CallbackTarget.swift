/// A place a finished login may send the browser (`callback_ui`), parsed by one strict rule on which RFC 3986 and
/// the WHATWG URL standard agree, and re-serialised from its parts.
///
/// Accepted: a path on this server (`/x?y#z`, not `//…`), or an absolute `http`/`https` URL written
/// `scheme://host[:port][/path][?query][#fragment]` whose host is a DNS name or IPv4 address (ASCII letters,
/// digits, `-`, `.`) or a bracketed IPv6 literal. Refused outright: `\` anywhere (browsers read it as `/`),
/// user info (`@` in the authority), percent-escapes in the host, control characters, spaces, non-ASCII, any
/// character outside RFC 3986's sets, malformed `%` escapes, and ports outside 1–65535.
///
/// The output is built from the parsed parts — lower-case scheme and host, default ports dropped, an empty path
/// becomes `/` — so what the browser is sent is exactly what was checked.
struct CallbackTarget: Equatable, Sendable {
    /// `nil` for a path on this server.
    let origin: Origin?
    /// Path, query and fragment, starting with `/`.
    let pathAndRest: String

    /// A scheme, host and optional non-default port.
    struct Origin: Equatable, Sendable {
        let scheme: String
        let host: String
        let port: Int?

        var serialized: String { port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)" }

        /// Parses an origin such as `https://ui.example.com` (a trailing `/` is tolerated, nothing else).
        init?(parsing text: String) {
            var text = Substring(text)
            if text.hasSuffix("/") { text = text.dropLast() }
            guard let target = CallbackTarget(parsing: String(text)), let origin = target.origin, target.pathAndRest == "/" else { return nil }
            self = origin
        }

        init(scheme: String, host: String, port: Int?) {
            self.scheme = scheme
            self.host = host
            self.port = port
        }
    }

    /// The re-serialised URL.
    var serialized: String { (origin?.serialized ?? "") + pathAndRest }

    /// Parses `text`; `nil` when it breaks any rule above.
    init?(parsing text: String) {
        guard !text.isEmpty, text.utf8.count <= 2048,
              text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F && $0 != "\\" }) else { return nil }
        if text.hasPrefix("/") {
            guard !text.hasPrefix("//"), let rest = Self.pathAndRest(Substring(text)) else { return nil }
            origin = nil
            pathAndRest = rest
            return
        }
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let afterScheme = text[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let (host, port) = Self.hostAndPort(authority) else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        var rest = afterScheme[authorityEnd...]
        if rest.isEmpty { rest = "/" }
        if !rest.hasPrefix("/") { rest = "/" + rest }
        guard let serializedRest = Self.pathAndRest(rest) else { return nil }
        origin = Origin(scheme: scheme, host: host, port: port == defaultPort ? nil : port)
        pathAndRest = serializedRest
    }

    /// `host[:port]` without user info; the host lower-cased.
    private static func hostAndPort(_ authority: Substring) -> (String, Int?)? {
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains("%") else { return nil }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let inner = authority[authority.index(after: authority.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            if parts.count == 2 { portText = parts[1] }
            guard !host.isEmpty, host.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." }),
                  !host.hasPrefix("."), !host.contains("..") else { return nil }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        }
        return (host.lowercased(), port)
    }

    /// Path, query and fragment when every character is allowed there by RFC 3986 and every `%` starts an escape.
    private static func pathAndRest(_ text: Substring) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?#")
        var seenFragment = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "%" {
                let first = text.index(after: index)
                guard first < text.endIndex, text[first].isHexDigit else { return nil }
                let second = text.index(after: first)
                guard second < text.endIndex, text[second].isHexDigit else { return nil }
                index = text.index(after: second)
                continue
            }
            if character == "#" {
                guard !seenFragment else { return nil }
                seenFragment = true
            }
            guard allowed.contains(character) else { return nil }
            index = text.index(after: index)
        }
        return String(text)
    }
}
