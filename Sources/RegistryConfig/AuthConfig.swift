/// `http.auth`: how clients prove who they are.
public struct AuthConfig: Sendable, Hashable {
    /// Basic authentication against an htpasswd file.
    public var htpasswd: HtpasswdConfig?
    /// Seconds to wait before answering a failed authentication. Default 0.
    public var failDelay: Int
    /// How identities are read from verified client certificates.
    public var mtls: MTLSConfig?
    /// Basic authentication against an LDAP directory.
    public var ldap: LDAPConfig?
    /// Browser login through OpenID Connect / OAuth2 providers.
    public var openid: OpenIDConfig?
    /// `apikey`: API keys (`zak_…`) accepted as Basic passwords. Zot writes `apikey: true`; the object form
    /// `apikey: {enable: true, maxLifetime: "720h"}` also caps how long a key may live.
    public var apikey: Bool
    /// `apikey.maxLifetime` in seconds: the longest expiry a new key may have (and the default when none is given).
    public var apikeyMaxLifetimeSeconds: Double?
    /// File with the session hash/encryption keys (for OpenID sessions).
    public var sessionKeysFile: String?
    /// Bearer tokens: Zot's token-server mode and/or OIDC workload identity.
    public var bearer: BearerConfig?
    /// `tokenService` (our extension): the built-in Docker token service at `/auth/token`.
    public var tokenService: TokenServiceConfig?

    public init(htpasswd: HtpasswdConfig? = nil, failDelay: Int = 0, mtls: MTLSConfig? = nil, ldap: LDAPConfig? = nil,
                openid: OpenIDConfig? = nil, apikey: Bool = false, sessionKeysFile: String? = nil, bearer: BearerConfig? = nil) {
        self.htpasswd = htpasswd
        self.failDelay = failDelay
        self.mtls = mtls
        self.ldap = ldap
        self.openid = openid
        self.apikey = apikey
        self.sessionKeysFile = sessionKeysFile
        self.bearer = bearer
    }

}

/// `http.auth.tokenService`: the built-in Docker token service (Distribution's token authentication).
public struct TokenServiceConfig: Sendable, Hashable {
    /// The longest lifetime a token may be given, in seconds.
    public static let maximumLifetime = 3600
    /// Whether the service runs (default true when the section is present).
    public var enable: Bool
    /// Token lifetime in seconds (Go duration in the config; default 5m, at most 1h).
    public var lifetimeSeconds: Int
    /// How long a refresh token (`offline_token=true`, `access_type=offline`) lives, in seconds (default 7 days).
    public var refreshLifetimeSeconds: Int
    /// The PEM P-256 signing key; `nil` = `<storage root>/token-service/signing-key.pem`, generated when absent.
    public var keyFile: String?

    public init(enable: Bool = true, lifetimeSeconds: Int = 300, refreshLifetimeSeconds: Int = 7 * 24 * 3600, keyFile: String? = nil) {
        self.enable = enable
        self.lifetimeSeconds = lifetimeSeconds
        self.refreshLifetimeSeconds = refreshLifetimeSeconds
        self.keyFile = keyFile
    }
}

/// `http.auth.htpasswd`.
public struct HtpasswdConfig: Sendable, Hashable {
    /// Path of the htpasswd file (bcrypt or SHA-crypt entries).
    public var path: String

    public init(path: String) {
        self.path = path
    }
}

/// `http.auth.mtls`: which certificate fields become the user name.
public struct MTLSConfig: Sendable, Hashable {
    /// The attributes tried in order, canonical names: `CommonName`, `Subject`, `Email`, `URI`, `DNSName`.
    /// Zot's aliases (`CN`, `DN`, `rfc822name`, `URL`, `DNS`, any case) are normalized. Default `["CommonName"]`.
    public var identityAttributes: [String]
    /// Regular expression applied to the URI SAN; its first capture group is the identity.
    public var uriSanPattern: String?
    /// Which URI SAN to use when there are several (0-based).
    public var uriSanIndex: Int
    /// Which DNS SAN to use (0-based).
    public var dnsSanIndex: Int
    /// Which email SAN to use (0-based).
    public var emailSanIndex: Int

    /// The canonical attribute names.
    public static let supportedAttributes = ["CommonName", "Subject", "Email", "URI", "DNSName"]

    public init(identityAttributes: [String] = ["CommonName"], uriSanPattern: String? = nil,
                uriSanIndex: Int = 0, dnsSanIndex: Int = 0, emailSanIndex: Int = 0) {
        self.identityAttributes = identityAttributes
        self.uriSanPattern = uriSanPattern
        self.uriSanIndex = uriSanIndex
        self.dnsSanIndex = dnsSanIndex
        self.emailSanIndex = emailSanIndex
    }

    /// The canonical name for an attribute as Zot spells it (case-insensitive, with aliases), or nil.
    public static func canonicalAttribute(_ name: String) -> String? {
        switch name.lowercased() {
        case "commonname", "cn": "CommonName"
        case "subject", "dn": "Subject"
        case "email", "rfc822name": "Email"
        case "uri", "url": "URI"
        case "dnsname", "dns": "DNSName"
        default: nil
        }
    }
}

/// `http.auth.ldap` (parsed and validated; the LDAP authenticator consumes it).
public struct LDAPConfig: Sendable, Hashable {
    public var address: String
    public var port: Int
    /// Plain LDAP without TLS.
    public var insecure: Bool
    /// Upgrade with StartTLS (otherwise LDAPS, unless `insecure`).
    public var startTLS: Bool
    /// Skip server certificate verification (unsafe).
    public var skipVerify: Bool
    /// CA bundle that verifies the LDAP server.
    public var caCert: String?
    public var baseDN: String
    /// Attribute holding the login name, e.g. `uid`.
    public var userAttribute: String
    /// Extra search filter, e.g. `(objectClass=person)`.
    public var userFilter: String?
    /// Attribute holding group names, e.g. `memberOf`.
    public var userGroupAttribute: String?
    public var subtreeSearch: Bool
    /// JSON file with `bindDN` and `bindPassword` (Zot's recommended way).
    public var credentialsFile: String?
    /// Groups under this DN may be named in policies by their CN alone (ours, not Zot's; default
    /// `ou=groups` above baseDN's domain components). Groups elsewhere must be named by full DN.
    public var groupBaseDN: String?
    /// Deprecated in Zot's main config, still accepted.
    public var bindDN: String?
    /// Deprecated in Zot's main config, still accepted. A secret: never log it.
    public var bindPassword: String?

    public init(address: String, port: Int = 389, insecure: Bool = false, startTLS: Bool = false, skipVerify: Bool = false,
                caCert: String? = nil, baseDN: String, userAttribute: String, userFilter: String? = nil,
                userGroupAttribute: String? = nil, subtreeSearch: Bool = false, credentialsFile: String? = nil,
                bindDN: String? = nil, bindPassword: String? = nil) {
        self.address = address
        self.port = port
        self.insecure = insecure
        self.startTLS = startTLS
        self.skipVerify = skipVerify
        self.caCert = caCert
        self.baseDN = baseDN
        self.userAttribute = userAttribute
        self.userFilter = userFilter
        self.userGroupAttribute = userGroupAttribute
        self.subtreeSearch = subtreeSearch
        self.credentialsFile = credentialsFile
        self.bindDN = bindDN
        self.bindPassword = bindPassword
    }
}
