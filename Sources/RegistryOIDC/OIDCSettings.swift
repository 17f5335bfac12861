/// Which token claims give the user name and the groups (claim names).
public struct ClaimNames: Sendable, Hashable {
    /// Claim for the user name, e.g. `preferred_username` or `sub`; `nil` = the default of the caller.
    public var username: String?
    /// Claim for the group list, e.g. `groups`; `nil` = `groups`.
    public var groups: String?

    /// Creates a mapping.
    public init(username: String? = nil, groups: String? = nil) {
        self.username = username
        self.groups = groups
    }
}

/// One issuer whose bearer JWTs ``BearerJWTAuthenticator`` accepts.
public struct BearerIssuerSettings: Sendable, Hashable {
    /// Issuer URL; must equal the token's `iss`.
    public var issuer: String
    /// The token's `aud` must contain one of them.
    public var audiences: [String]
    public var claims: ClaimNames?
    /// PEM file with the CA that verifies the issuer's TLS certificate.
    public var certificateAuthorityFile: String?
    /// Inline PEM CA for the issuer's TLS certificate.
    public var certificateAuthority: String?

    /// Creates settings.
    /// Zot's CEL `claimMapping` (user name, groups, variables, validations); when set it replaces ``claims``.
    public var expressions: ClaimExpressions?

    public init(issuer: String, audiences: [String], claims: ClaimNames? = nil,
                certificateAuthorityFile: String? = nil, certificateAuthority: String? = nil, expressions: ClaimExpressions? = nil) {
        self.issuer = issuer
        self.audiences = audiences
        self.claims = claims
        self.expressions = expressions
        self.certificateAuthorityFile = certificateAuthorityFile
        self.certificateAuthority = certificateAuthority
    }
}

/// A login provider for ``OIDCRelyingParty`` (client credentials are passed separately).
public struct LoginProviderSettings: Sendable, Hashable {
    /// Display name.
    public var name: String?
    /// Issuer URL; `nil` = the provider's public default (google, gitlab).
    public var issuer: String?
    /// Overrides the discovered authorization endpoint.
    public var authURL: String?
    /// Overrides the discovered token endpoint.
    public var tokenURL: String?
    /// Scopes requested besides `openid`.
    public var scopes: [String]
    public var claims: ClaimNames?

    /// Creates settings.
    public init(name: String? = nil, issuer: String? = nil, authURL: String? = nil, tokenURL: String? = nil,
                scopes: [String] = [], claims: ClaimNames? = nil) {
        self.name = name
        self.issuer = issuer
        self.authURL = authURL
        self.tokenURL = tokenURL
        self.scopes = scopes
        self.claims = claims
    }
}
