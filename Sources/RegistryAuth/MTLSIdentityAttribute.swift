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

/// Which SAN of each kind names the user when a certificate carries several (Zot's `uriSanIndex`,
/// `dnsSanIndex`, `emailSanIndex`; 0-based, default the first). An index beyond the certificate's SANs of
/// that kind means the attribute is absent, so the next configured attribute is tried.
public struct MTLSSANIndices: Sendable, Hashable {
    /// `uriSanIndex`: the URI SAN read by ``MTLSIdentityAttribute/uri`` (and matched by `uriSanPattern`).
    public var uri: Int
    /// `dnsSanIndex`: the DNS SAN read by ``MTLSIdentityAttribute/dnsName``.
    public var dns: Int
    /// `emailSanIndex`: the email SAN read by ``MTLSIdentityAttribute/email``.
    public var email: Int

    public init(uri: Int = 0, dns: Int = 0, email: Int = 0) {
        self.uri = uri
        self.dns = dns
        self.email = email
    }
}

/// The mTLS authenticator's configuration is unusable.
public enum MTLSConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An `identityAttributes` entry names no known attribute.
    case unknownAttribute(String)
    /// `uriSanPattern` is not a valid regular expression.
    case invalidURIPattern(pattern: String, reason: String)
    /// A SAN index (`uriSanIndex`, `dnsSanIndex`, `emailSanIndex`) is set but its attribute is not in `identityAttributes`.
    case unusedSANIndex(String)
    /// A SAN index is negative.
    case negativeSANIndex(String)

    public var description: String {
        switch self {
        case .unknownAttribute(let name):
            "unknown mTLS identity attribute '\(name)' (expected one of "
                + MTLSIdentityAttribute.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case .invalidURIPattern(let pattern, let reason): "invalid uriSanPattern '\(pattern)': \(reason)"
        case .unusedSANIndex(let key): "\(key) is set but identityAttributes does not use that kind of SAN"
        case .negativeSANIndex(let key): "\(key) must be 0 or more"
        }
    }
}
