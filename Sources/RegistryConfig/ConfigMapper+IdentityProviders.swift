extension ConfigMapper {
    /// `http.auth.openid`: only the provider keys Zot supports; each needs a client id or credentials file.
    func mapOpenID(_ reader: ObjectReader) -> OpenIDConfig {
        var openid = OpenIDConfig()
        if let originsNode = reader.node("callbackAllowOrigins"), let origins = collector.stringList(originsNode) {
            for (index, origin) in origins.enumerated() where !NetworkSyntax.isHTTPURL(origin) {
                collector.error(originsNode.path.appending(index: index), "\(ConfigPath.quote(origin)) is not an http(s) origin")
            }
            openid.callbackAllowOrigins = origins
        }
        guard let providersNode = reader.node("providers") else {
            collector.error(reader.path(of: "providers"), "is required")
            return openid
        }
        guard case .object(let providers) = providersNode.value else {
            collector.error(providersNode.path, "expected an object (provider name → settings), got \(providersNode.kindName)")
            return openid
        }
        for (writtenName, providerNode) in providers {
            let name = writtenName.lowercased()
            guard OpenIDConfig.supportedProviders.contains(name) else {
                collector.error(providerNode.path, "\(ConfigPath.quote(writtenName)) is not a supported provider (\(OpenIDConfig.supportedProviders.joined(separator: ", ")))")
                continue
            }
            guard let provider = ObjectReader(providerNode, known: ["name", "issuer", "clientid", "clientsecret", "credentialsFile",
                                                                     "keyPath", "authURL", "tokenURL", "scopes", "claimMapping"],
                                              collector: collector) else { continue }
            openid.providers[name] = mapOpenIDProvider(provider, requiresIssuer: name == "oidc")
        }
        return openid
    }

    private func mapOpenIDProvider(_ reader: ObjectReader, requiresIssuer: Bool) -> OpenIDProviderConfig {
        var provider = OpenIDProviderConfig()
        provider.name = reader.string("name")
        if let issuerNode = reader.node("issuer"), let issuer = collector.string(issuerNode) {
            if NetworkSyntax.isHTTPURL(issuer) {
                provider.issuer = issuer
            } else {
                collector.error(issuerNode.path, "\(issuerNode.quoted) is not an http(s) URL")
            }
        } else if requiresIssuer {
            collector.error(reader.path(of: "issuer"), "is required for the oidc provider")
        }
        provider.clientid = reader.string("clientid")
        provider.clientsecret = reader.string("clientsecret")
        provider.credentialsFile = readableFile(reader, "credentialsFile")
        if provider.clientid == nil && provider.credentialsFile == nil {
            collector.error(reader.path(of: "clientid"), "is required (or give credentialsFile)")
        }
        // Zot's examples write `keypath: ""`: empty means absent. A key file is not used by our login flow
        // (the client secret authenticates us to the provider), so a non-empty one is reported, not silently kept.
        if let node = reader.node("keyPath"), let text = collector.string(node), !text.isEmpty {
            provider.keyPath = readableFile(reader, "keyPath")
            collector.notice(node.path, "accepted for Zot compatibility but ignored: client authentication with a private key is not implemented; clientsecret is used")
        }
        provider.authURL = reader.string("authURL")
        provider.tokenURL = reader.string("tokenURL")
        provider.scopes = reader.stringList("scopes") ?? []
        provider.claimMapping = reader.object("claimMapping", known: ["username", "groups"]).map(mapClaimMapping)
        return provider
    }

    private func mapClaimMapping(_ reader: ObjectReader) -> ClaimMapping {
        ClaimMapping(username: reader.node("username").flatMap(collector.nonEmptyString),
                     groups: reader.node("groups").flatMap(collector.nonEmptyString))
    }

    /// `http.auth.bearer`: a token-signing cert (with realm and service) and/or OIDC issuers.
    func mapBearer(_ reader: ObjectReader) -> BearerConfig {
        var bearer = BearerConfig()
        bearer.realm = headerParameter(reader, "realm")
        bearer.service = headerParameter(reader, "service")
        bearer.issuer = reader.node("issuer").flatMap { collector.nonEmptyString($0) }
        bearer.cert = readableFile(reader, "cert")
        if bearer.cert != nil, let realm = bearer.realm, !NetworkSyntax.isHTTPURL(realm) {
            collector.error(reader.path(of: "realm"), "\(ConfigPath.quote(realm)) is not an http(s) URL (the token server's endpoint)")
        }
        if bearer.cert == nil, reader.contains("issuer") {
            collector.error(reader.path(of: "issuer"), "has no effect without bearer.cert (the token server's key)")
        }
        if bearer.cert == nil {
            // Only the token-server mode challenges with them; with bearer.oidc alone the challenge stays Basic.
            for key in ["realm", "service"] where reader.contains(key) {
                collector.notice(reader.path(of: key), "has no effect without bearer.cert: bearer.oidc tokens are sent by clients that need no challenge, which stays Basic")
            }
        }
        if bearer.cert != nil {
            if bearer.realm == nil { collector.error(reader.path(of: "realm"), "is required when bearer.cert is set") }
            if bearer.service == nil { collector.error(reader.path(of: "service"), "is required when bearer.cert is set") }
        }
        if let oidcNode = reader.node("oidc") {
            // Zot accepts one issuer object or a list of them.
            let entries: [ConfigNode] = if case .array(let list) = oidcNode.value { list } else { [oidcNode] }
            bearer.oidc = entries.compactMap(mapBearerOIDC)
            if entries.isEmpty { collector.error(oidcNode.path, "must list at least one issuer") }
        }
        if reader.contains("awsSecretsManager") {
            // An error, not a notice: serving without the keys it names would refuse every token or, worse, accept
            // tokens the operator meant to be checked against them.
            collector.error(reader.path(of: "awsSecretsManager"), "bearer keys from AWS Secrets Manager are not implemented")
        } else if reader.node("cert") == nil && reader.node("oidc") == nil {
            collector.error(reader.path, "needs cert (with realm and service) or oidc")
        }
        return bearer
    }

    /// A string that goes into a `WWW-Authenticate` parameter: no quotes, backslashes or control characters.
    private func headerParameter(_ reader: ObjectReader, _ key: String) -> String? {
        guard let node = reader.node(key), let text = collector.nonEmptyString(node) else { return nil }
        guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "\\" }) else {
            collector.error(node.path, "\(node.quoted) cannot be used in a WWW-Authenticate header (no quotes, backslashes or control characters)")
            return nil
        }
        return text
    }

    private func mapBearerOIDC(_ node: ConfigNode) -> BearerOIDCConfig? {
        guard let reader = ObjectReader(node, known: ["issuer", "audiences", "claimMapping", "certificateAuthority",
                                                      "certificateAuthorityFile", "skipIssuerVerification"],
                                        collector: collector) else { return nil }
        var issuer: String?
        if let issuerNode = reader.node("issuer") {
            issuer = collector.string(issuerNode)
            if let text = issuer, !NetworkSyntax.isHTTPURL(text) {
                collector.error(issuerNode.path, "\(issuerNode.quoted) is not an http(s) URL")
            }
        } else {
            collector.error(reader.path(of: "issuer"), "is required")
        }
        let audiences = reader.stringList("audiences") ?? []
        if audiences.isEmpty || audiences.contains(where: \.isEmpty) {
            collector.error(reader.path(of: "audiences"), "must list at least one non-empty audience")
        }
        if reader.bool("skipIssuerVerification") == true {
            collector.error(reader.path(of: "skipIssuerVerification"), "is not supported: the issuer is always verified")
        }
        let claimMapping = reader.object("claimMapping", known: ["username", "groups", "variables", "validations"]).map(mapBearerClaimMapping)
        let caFile = readableFile(reader, "certificateAuthorityFile")
        let inlineCA = reader.string("certificateAuthority")
        if caFile != nil && inlineCA != nil {
            collector.error(reader.path(of: "certificateAuthority"), "cannot be combined with certificateAuthorityFile")
        }
        guard let issuer else { return nil }
        return BearerOIDCConfig(issuer: issuer, audiences: audiences, claimMapping: claimMapping,
                                certificateAuthorityFile: caFile, certificateAuthority: inlineCA)
    }
}
