import Foundation

/// Turns the values of the configured group attribute into ``Identity`` group names.
///
/// `memberOf` values are DNs. Policies may name the full DN (`cn=devs,ou=groups,dc=example,dc=org`, as Zot does)
/// or — for groups under the group base only — the group's common name (`devs`). The base keeps short names from
/// crossing subtrees: `cn=admins,ou=selfservice,…` must not satisfy a policy for `admins` meant for
/// `cn=admins,ou=groups,…`. The base is `http.auth.ldap.groupBaseDN`, by default ``defaultGroupBase(baseDN:)``.
/// Values that are not DNs whose first RDN is a `cn` are kept as they are.
public enum LDAPGroupNames {
    /// Every value, followed by its CN when it is a DN starting with `cn=` that lies under `shortNameBase`;
    /// duplicates dropped, order kept.
    public static func groups(fromAttributeValues values: [String], shortNameBase: String) -> [String] {
        var groups: [String] = []
        var seen = Set<String>()
        func add(_ name: String) {
            guard !name.isEmpty, seen.insert(name).inserted else { return }
            groups.append(name)
        }
        let base = normalizedRDNs(shortNameBase)
        for value in values {
            add(value)
            guard let commonName = commonName(ofDN: value) else { continue }
            let parent = normalizedRDNs(value).dropFirst()
            if !base.isEmpty, parent.count >= base.count, Array(parent.suffix(base.count)) == base { add(commonName) }
        }
        return groups
    }

    /// The group base used when none is configured: `ou=groups` above the domain components of `baseDN`
    /// (`ou=people,dc=example,dc=org` → `ou=groups,dc=example,dc=org`), or beside `baseDN` when it has none.
    public static func defaultGroupBase(baseDN: String) -> String {
        let rdns = splitUnescaped(baseDN, at: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let domain = rdns.reversed().prefix { $0.lowercased().hasPrefix("dc=") }.reversed()
        let tail = domain.isEmpty ? Array(rdns.dropFirst()) : Array(domain)
        return (["ou=groups"] + tail).joined(separator: ",")
    }

    /// The RDNs of `dn`, lower-cased with spaces around `=` and separators removed (for comparing DNs).
    static func normalizedRDNs(_ dn: String) -> [String] {
        splitUnescaped(dn, at: ",").map { rdn in
            splitUnescaped(rdn, at: "+").map { component in
                guard let equals = component.firstIndex(of: "=") else { return component.trimmingCharacters(in: .whitespaces).lowercased() }
                let type = component[..<equals].trimmingCharacters(in: .whitespaces)
                let value = component[component.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                return (type + "=" + value).lowercased()
            }.joined(separator: "+")
        }.filter { !$0.isEmpty }
    }

    /// The unescaped value of the `cn` attribute in the first RDN of `dn` (RFC 4514), or `nil` when the
    /// first RDN has no `cn` or the text is not a DN.
    public static func commonName(ofDN dn: String) -> String? {
        let firstRDN = splitUnescaped(dn, at: ",").first ?? ""
        for component in splitUnescaped(firstRDN, at: "+") {
            guard let equals = component.firstIndex(of: "=") else { return nil }
            let type = component[..<equals].trimmingCharacters(in: .whitespaces)
            guard type.lowercased() == "cn" || type == "2.5.4.3" else { continue }
            return unescape(String(component[component.index(after: equals)...]).trimmingLeadingSpaces())
        }
        return nil
    }

    /// Splits at `separator` characters that are not escaped with a backslash.
    private static func splitUnescaped(_ text: String, at separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaping = false
        for character in text {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                current.append(character)
                escaping = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    /// Resolves RFC 4514 escapes: `\,` and friends, and `\XX` hex pairs (which may form UTF-8 sequences).
    private static func unescape(_ value: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(value.utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            guard let next = utf8.popFirst() else { return nil }
            if let high = hexValue(next), let second = utf8.first, let low = hexValue(second) {
                utf8.removeFirst()
                bytes.append(high << 4 | low)
            } else {
                bytes.append(next)
            }
        }
        // Unescaped trailing spaces are not part of the value.
        while bytes.last == UInt8(ascii: " "), !value.hasSuffix("\\ ") { bytes.removeLast() }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    fileprivate func trimmingLeadingSpaces() -> String {
        String(drop(while: { $0 == " " }))
    }
}
