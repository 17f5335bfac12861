/// `http.auth.openid`: browser login through OpenID Connect / OAuth2 providers (parsed and validated now).
public struct OpenIDConfig: Sendable, Hashable {
    /// Provider key (`oidc`, `google`, `gitlab`, `github`) → settings.
    public var providers: [String: OpenIDProviderConfig]
    /// `callbackAllowOrigins`: origins allowed to receive the login callback.
    public var callbackAllowOrigins: [String]

    /// Provider keys Zot supports.
    public static let supportedProviders = ["oidc", "google", "gitlab", "github"]

    public init(providers: [String: OpenIDProviderConfig] = [:], callbackAllowOrigins: [String] = []) {
        self.providers = providers
        self.callbackAllowOrigins = callbackAllowOrigins
    }
}

/// One `http.auth.openid.providers.<name>` entry.
public struct OpenIDProviderConfig: Sendable, Hashable {
    /// Display name.
    public var name: String?
    public var issuer: String?
    public var clientid: String?
    /// A secret: never log it.
    public var clientsecret: String?
    /// JSON file with `clientid` and `clientsecret`.
    public var credentialsFile: String?
    public var keyPath: String?
    public var authURL: String?
    public var tokenURL: String?
    public var scopes: [String]
    public var claimMapping: ClaimMapping?

    public init(name: String? = nil, issuer: String? = nil, clientid: String? = nil, clientsecret: String? = nil,
                credentialsFile: String? = nil, keyPath: String? = nil, authURL: String? = nil, tokenURL: String? = nil,
                scopes: [String] = [], claimMapping: ClaimMapping? = nil) {
        self.name = name
        self.issuer = issuer
        self.clientid = clientid
        self.clientsecret = clientsecret
        self.credentialsFile = credentialsFile
        self.keyPath = keyPath
        self.authURL = authURL
        self.tokenURL = tokenURL
        self.scopes = scopes
        self.claimMapping = claimMapping
    }
}

/// Which token claims give the user name and the groups.
public struct ClaimMapping: Sendable, Hashable {
    /// Claim (or Zot CEL expression) for the user name, e.g. `preferred_username` or `sub`.
    public var username: String?
    /// Claim (or Zot CEL expression) for the group list, e.g. `groups`.
    public var groups: String?

    /// `variables` (bearer only): CEL values computed in order, read as `vars.<name>`.
    public var variables: [ClaimVariable]
    /// `validations` (bearer only): CEL conditions that must all be true, with the message of a refusal.
    public var validations: [ClaimValidation]

    public init(username: String? = nil, groups: String? = nil, variables: [ClaimVariable] = [], validations: [ClaimValidation] = []) {
        self.username = username
        self.groups = groups
        self.variables = variables
        self.validations = validations
    }
}

/// One `claimMapping.variables` entry.
public struct ClaimVariable: Sendable, Hashable {
    public var name: String
    public var expression: String

    public init(name: String, expression: String) {
        self.name = name
        self.expression = expression
    }
}

/// One `claimMapping.validations` entry.
public struct ClaimValidation: Sendable, Hashable {
    public var expression: String
    public var message: String

    public init(expression: String, message: String) {
        self.expression = expression
        self.message = message
    }
}

/// `http.auth.bearer`: Zot's token-server mode (`realm`, `service`, `cert`) and OIDC workload identity (`oidc`).
public struct BearerConfig: Sendable, Hashable {
    /// Token endpoint URL sent in the `Bearer` challenge.
    public var realm: String?
    public var service: String?
    /// Certificate or public key (PEM path) whose key signs the tokens.
    public var cert: String?
    /// `issuer` (our extension): the `iss` every token-server token must carry; `nil` = not checked.
    public var issuer: String?
    /// Accepted OIDC issuers (Zot accepts one object or a list; both become a list).
    public var oidc: [BearerOIDCConfig]

    public init(realm: String? = nil, service: String? = nil, cert: String? = nil, issuer: String? = nil, oidc: [BearerOIDCConfig] = []) {
        self.realm = realm
        self.issuer = issuer
        self.service = service
        self.cert = cert
        self.oidc = oidc
    }
}

/// One `http.auth.bearer.oidc` issuer.
public struct BearerOIDCConfig: Sendable, Hashable {
    /// Issuer URL; must equal the token's `iss`.
    public var issuer: String
    /// At least one; the token's `aud` must contain one of them.
    public var audiences: [String]
    public var claimMapping: ClaimMapping?
    /// PEM file with the CA that verifies the issuer's TLS certificate.
    public var certificateAuthorityFile: String?
    /// Inline PEM CA for the issuer's TLS certificate.
    public var certificateAuthority: String?

    public init(issuer: String, audiences: [String], claimMapping: ClaimMapping? = nil,
                certificateAuthorityFile: String? = nil, certificateAuthority: String? = nil) {
        self.issuer = issuer
        self.audiences = audiences
        self.claimMapping = claimMapping
        self.certificateAuthorityFile = certificateAuthorityFile
        self.certificateAuthority = certificateAuthority
    }
}
