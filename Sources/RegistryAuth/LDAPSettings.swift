/// How ``LDAPAuthenticator`` reaches and searches a directory. The composition root maps Zot's `http.auth.ldap`
/// onto it; this module knows nothing of the config file.
public struct LDAPSettings: Sendable, Hashable {
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
    /// Groups under this DN may be named by their CN alone in policies; elsewhere only by full DN.
    public var groupBaseDN: String?
    /// JSON file with `bindDN` and `bindPassword`.
    public var credentialsFile: String?
    /// The service account's DN, when given inline.
    public var bindDN: String?
    /// The service account's password, when given inline. A secret: never log it.
    public var bindPassword: String?

    /// Creates settings.
    public init(address: String, port: Int = 389, insecure: Bool = false, startTLS: Bool = false, skipVerify: Bool = false,
                caCert: String? = nil, baseDN: String, userAttribute: String, userFilter: String? = nil,
                userGroupAttribute: String? = nil, subtreeSearch: Bool = false, groupBaseDN: String? = nil, credentialsFile: String? = nil,
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
        self.groupBaseDN = groupBaseDN
        self.credentialsFile = credentialsFile
        self.bindDN = bindDN
        self.bindPassword = bindPassword
    }
}
