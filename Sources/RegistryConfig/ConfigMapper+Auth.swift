import Foundation

/// Key lists for `http.auth`.
enum AuthKeys {
    static let known = ["htpasswd", "failDelay", "mtls", "ldap", "openid", "apikey", "sessionKeysFile", "bearer", "tokenService"]
    static let ignored = ["sessionDriver": "sessions are kept in the embedded metadata database",
                          "secureSession": "session cookies are always marked Secure behind TLS"]
}

extension ConfigMapper {
    func mapAuth(_ reader: ObjectReader) -> AuthConfig {
        var auth = AuthConfig()
        if let htpasswd = reader.object("htpasswd", known: ["path"]) {
            if htpasswd.node("path") == nil {
                collector.error(htpasswd.path(of: "path"), "is required")
            } else if let path = readableFile(htpasswd, "path") {
                auth.htpasswd = HtpasswdConfig(path: path)
            }
        }
        if let delayNode = reader.node("failDelay"),
           let delay = collector.integer(delayNode, naming: "a delay in seconds", in: 0...3600) {
            auth.failDelay = delay
        }
        auth.mtls = reader.object("mtls", known: ["identityAttributes", "uriSanPattern", "uriSanIndex", "dnsSanIndex", "emailSanIndex"])
            .map(mapMTLS)
        auth.ldap = reader.object("ldap", known: LDAPKeys.known).flatMap(mapLDAP)
        auth.openid = reader.object("openid", known: ["providers", "callbackAllowOrigins"]).map(mapOpenID)
        mapAPIKey(reader, into: &auth)
        auth.sessionKeysFile = readableFile(reader, "sessionKeysFile")
        auth.bearer = reader.object("bearer", known: ["realm", "service", "cert", "issuer", "oidc", "awsSecretsManager"])
            .map(mapBearer)
        auth.tokenService = reader.object("tokenService", known: ["enable", "lifetime", "refreshLifetime", "keyFile"]).map(mapTokenService)
        if auth.tokenService?.enable == true, auth.bearer?.cert != nil {
            collector.error(reader.path(of: "tokenService"), "cannot be combined with bearer.cert: the challenge names one token endpoint")
        }
        return auth
    }

    /// `tokenService: {enable, lifetime, refreshLifetime, keyFile}`.
    private func mapTokenService(_ reader: ObjectReader) -> TokenServiceConfig {
        var service = TokenServiceConfig()
        service.enable = reader.bool("enable") ?? true
        if let node = reader.node("lifetime"), let text = collector.string(node) {
            if let seconds = GoDuration.seconds(text), seconds >= 10, seconds <= Double(TokenServiceConfig.maximumLifetime) {
                service.lifetimeSeconds = Int(seconds)
            } else {
                collector.error(node.path, "\(node.quoted) is not a duration from 10s to 1h (a Go duration like \"5m\")")
            }
        }
        if let node = reader.node("refreshLifetime"), let text = collector.string(node) {
            if let seconds = GoDuration.seconds(text), seconds >= 60, seconds <= 366 * 24 * 3600 {
                service.refreshLifetimeSeconds = Int(seconds)
            } else {
                collector.error(node.path, "\(node.quoted) is not a duration from 1m to 8784h (a Go duration like \"168h\")")
            }
        }
        if let node = reader.node("keyFile"), let path = collector.nonEmptyString(node) {
            service.keyFile = path
        }
        return service
    }

    /// `apikey`: Zot's boolean, or `{enable, maxLifetime}`.
    private func mapAPIKey(_ reader: ObjectReader, into auth: inout AuthConfig) {
        guard let node = reader.node("apikey") else { return }
        if case .object = node.value {
            guard let object = reader.object("apikey", known: ["enable", "maxLifetime"]) else { return }
            auth.apikey = object.bool("enable") ?? true
            if let lifetimeNode = object.node("maxLifetime"), let text = collector.string(lifetimeNode) {
                if let seconds = GoDuration.seconds(text), seconds >= 60 {
                    auth.apikeyMaxLifetimeSeconds = seconds
                } else {
                    collector.error(lifetimeNode.path, "\(lifetimeNode.quoted) is not a duration of at least one minute (a Go duration like \"720h\")")
                }
            }
        } else {
            auth.apikey = reader.bool("apikey") ?? false
        }
    }

    private func mapMTLS(_ reader: ObjectReader) -> MTLSConfig {
        var mtls = MTLSConfig()
        if let attributesNode = reader.node("identityAttributes"), let names = collector.stringList(attributesNode) {
            var canonical: [String] = []
            for (index, name) in names.enumerated() {
                if let attribute = MTLSConfig.canonicalAttribute(name) {
                    if !canonical.contains(attribute) { canonical.append(attribute) }
                } else {
                    collector.error(attributesNode.path.appending(index: index),
                                    "\(ConfigPath.quote(name)) is not an identity attribute (\(MTLSConfig.supportedAttributes.joined(separator: ", ")))")
                }
            }
            if names.isEmpty {
                collector.error(attributesNode.path, "must list at least one attribute (or be omitted for CommonName)")
            }
            if !canonical.isEmpty { mtls.identityAttributes = canonical }
        }
        if let patternNode = reader.node("uriSanPattern"), let pattern = collector.nonEmptyString(patternNode) {
            if (try? NSRegularExpression(pattern: pattern)) == nil {
                collector.error(patternNode.path, "\(patternNode.quoted) is not a valid regular expression")
            } else {
                mtls.uriSanPattern = pattern
                if !mtls.identityAttributes.contains("URI") {
                    collector.notice(patternNode.path, "has no effect unless identityAttributes contains URI")
                }
            }
        }
        for key in ["uriSanIndex", "dnsSanIndex", "emailSanIndex"] {
            guard let node = reader.node(key), let index = collector.integer(node, naming: "an index", in: 0...1000) else { continue }
            switch key {
            case "uriSanIndex": mtls.uriSanIndex = index
            case "dnsSanIndex": mtls.dnsSanIndex = index
            default: mtls.emailSanIndex = index
            }
            let attribute = ["uriSanIndex": "URI", "dnsSanIndex": "DNSName", "emailSanIndex": "Email"][key] ?? ""
            if index > 0 && !mtls.identityAttributes.contains(attribute) {
                collector.error(node.path, "selects a \(attribute) SAN but identityAttributes does not contain \(attribute)")
            }
        }
        return mtls
    }
}
