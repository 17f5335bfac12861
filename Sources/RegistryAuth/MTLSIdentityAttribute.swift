/// Which part of a verified client certificate names the user (Zot's `identityAttributes`).
public enum MTLSIdentityAttribute: String, Sendable, Hashable, CaseIterable {
    /// The subject's first CommonName (CN).
    case commonName = "CommonName"
    /// The whole subject distinguished name, RFC 4514 style (`CN=alice,O=Example`).
    case subject = "Subject"
    /// The first SAN email (rfc822Name), else the subject's `emailAddress` attribute.
    case email = "Email"
    /// The first SAN URI (matching `uriSanPattern` when configured).
    case uri = "URI"
    /// The first SAN DNS name.
    case dnsName = "DNSName"

    /// Parses a configuration name case-insensitively (`"commonname"`, `"CN"`, `"dnsname"`, …).
    public init?(configName: String) {
        let normalized = configName.lowercased().filter { $0 != "_" && $0 != "-" }
        switch normalized {
        case "commonname", "cn": self = .commonName
        case "subject", "dn", "subjectdn": self = .subject
        case "email", "emailaddress", "rfc822name": self = .email
        case "uri", "urisan": self = .uri
        case "dnsname", "dns", "dnssan": self = .dnsName
        default: return nil
        }
    }
}

/// The mTLS authenticator's configuration is unusable.
public enum MTLSConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An `identityAttributes` entry names no known attribute.
    case unknownAttribute(String)
    /// `uriSanPattern` is not a valid regular expression.
    case invalidURIPattern(pattern: String, reason: String)

    public var description: String {
        switch self {
        case .unknownAttribute(let name):
            "unknown mTLS identity attribute '\(name)' (expected one of "
                + MTLSIdentityAttribute.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case .invalidURIPattern(let pattern, let reason): "invalid uriSanPattern '\(pattern)': \(reason)"
        }
    }
}
