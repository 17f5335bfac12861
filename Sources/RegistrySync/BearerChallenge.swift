import Foundation

/// A `WWW-Authenticate` challenge: `Basic realm="…"` or `Bearer realm="…",service="…",scope="…"`.
struct AuthChallenge: Sendable, Equatable {
    enum Scheme: String, Sendable { case basic, bearer }
    let scheme: Scheme
    let parameters: [String: String]

    var realm: String? { parameters["realm"] }
    var service: String? { parameters["service"] }
    var scope: String? { parameters["scope"] }

    /// Parses the first Basic or Bearer challenge of a header value.
    static func parse(_ header: String) -> AuthChallenge? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        guard let scheme = Scheme(rawValue: trimmed[..<space].lowercased()) else { return nil }
        var parameters: [String: String] = [:]
        var rest = Substring(trimmed[space...])
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var index = rest.startIndex
                while index < rest.endIndex {
                    let character = rest[index]
                    if escaped { value.append(character); escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { break } else { value.append(character) }
                    index = rest.index(after: index)
                }
                rest = index < rest.endIndex ? rest[rest.index(after: index)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
        return AuthChallenge(scheme: scheme, parameters: parameters)
    }
}
