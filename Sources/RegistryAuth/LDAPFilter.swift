/// Builds LDAP search filters (RFC 4515) from untrusted input.
public enum LDAPFilter {
    /// Escapes `value` for use inside a filter assertion: `*` → `\2a`, `(` → `\28`, `)` → `\29`,
    /// `\` → `\5c`, NUL → `\00`. Every other character (including non-ASCII UTF-8) is kept as is, which
    /// RFC 4515 allows.
    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": escaped += "\\2a"
            case "(": escaped += "\\28"
            case ")": escaped += "\\29"
            case "\\": escaped += "\\5c"
            case "\0": escaped += "\\00"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The filter that finds the entry of `username`: `(<attribute>=<escaped>)`, or
    /// `(&<userFilter>(<attribute>=<escaped>))` when an extra filter is configured. A `userFilter` written
    /// without surrounding parentheses (`objectClass=person`) is wrapped in them.
    public static func user(attribute: String, username: String, userFilter: String?) -> String {
        let assertion = "(\(attribute)=\(escape(username)))"
        guard let userFilter, !userFilter.isEmpty else { return assertion }
        let extra = userFilter.hasPrefix("(") ? userFilter : "(\(userFilter))"
        return "(&\(extra)\(assertion))"
    }
}
