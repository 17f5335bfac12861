import RegistryAuth
import RegistryConfig
import RegistryOIDC

// The mapping from Zot's config sections to the option types of the domain modules: the only place that knows both.

extension LDAPSettings {
    /// `http.auth.ldap`.
    init(_ config: LDAPConfig) {
        self.init(address: config.address, port: config.port, insecure: config.insecure, startTLS: config.startTLS,
                  skipVerify: config.skipVerify, caCert: config.caCert, baseDN: config.baseDN, userAttribute: config.userAttribute,
                  userFilter: config.userFilter, userGroupAttribute: config.userGroupAttribute, subtreeSearch: config.subtreeSearch, groupBaseDN: config.groupBaseDN,
                  credentialsFile: config.credentialsFile, bindDN: config.bindDN, bindPassword: config.bindPassword)
    }
}

extension ClaimNames {
    /// A `claimMapping` block (`nil` stays `nil`: the caller's defaults apply).
    init?(_ mapping: ClaimMapping?) {
        guard let mapping else { return nil }
        self.init(username: mapping.username, groups: mapping.groups)
    }
}

extension BearerIssuerSettings {
    /// One `http.auth.bearer.oidc` issuer; its `claimMapping` is Zot's CEL (compiled; the loader already checked it).
    init(_ config: BearerOIDCConfig) throws(ClaimExpressionError) {
        let expressions = try config.claimMapping.map { mapping throws(ClaimExpressionError) in
            try ClaimExpressions(username: mapping.username, groups: mapping.groups,
                                 variables: mapping.variables.map { ($0.name, $0.expression) },
                                 validations: mapping.validations.map { ($0.expression, $0.message) })
        }
        self.init(issuer: config.issuer, audiences: config.audiences, claims: ClaimNames(config.claimMapping),
                  certificateAuthorityFile: config.certificateAuthorityFile, certificateAuthority: config.certificateAuthority,
                  expressions: expressions)
    }
}

extension LoginProviderSettings {
    /// One `http.auth.openid.providers.<name>` entry (client id and secret are passed to the relying party apart).
    init(_ config: OpenIDProviderConfig) {
        self.init(name: config.name, issuer: config.issuer, authURL: config.authURL, tokenURL: config.tokenURL,
                  scopes: config.scopes, claims: ClaimNames(config.claimMapping))
    }
}
