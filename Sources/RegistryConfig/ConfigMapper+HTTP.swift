extension ConfigMapper {
    /// `http`: defaults when absent; semantic checks that span sections (mTLS needs `tls.cacert`) happen here.
    func mapHTTP(_ node: ConfigNode?) -> HTTPConfig {
        var http = HTTPConfig()
        guard let node, let reader = ObjectReader(
            node,
            known: ["address", "port", "realm", "externalUrl", "tls", "auth", "accessControl", "ratelimit", "trustedProxies"]
                + HTTPTimeouts.keys,
            ignored: ["allowOrigin": "CORS headers are not implemented",
                      "compat": "media-type compatibility modes are not implemented"],
            collector: collector) else {
            return http
        }
        if let addressNode = reader.node("address"), let address = collector.string(addressNode) {
            if NetworkSyntax.isIPAddress(address) || NetworkSyntax.isHostName(address) {
                http.address = address
            } else {
                collector.error(addressNode.path, "\(addressNode.quoted) is not an IP address or host name")
            }
        }
        if let portNode = reader.node("port"),
           let port = collector.integer(portNode, naming: "a port number", in: 1...65535) {
            http.port = port
        }
        if let realmNode = reader.node("realm"), let realm = collector.nonEmptyString(realmNode) {
            if realm.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "\\" }) {
                http.realm = realm
            } else {
                collector.error(realmNode.path, "\(realmNode.quoted) cannot be used in a WWW-Authenticate header (no quotes, backslashes or control characters)")
            }
        }
        if let urlNode = reader.node("externalUrl"), let url = collector.string(urlNode) {
            if NetworkSyntax.isHTTPURL(url) {
                http.externalUrl = url
            } else {
                collector.error(urlNode.path, "\(urlNode.quoted) is not an http(s) URL")
            }
        }
        http.tls = reader.object("tls", known: ["cert", "key", "cacert"]).map(mapTLS)
        http.auth = reader.object("auth", known: AuthKeys.known, ignored: AuthKeys.ignored).map(mapAuth)
        http.accessControl = reader.node("accessControl").flatMap(mapAccessControl)
        http.ratelimit = reader.object("ratelimit", known: ["rate", "methods"]).map(mapRateLimit)
        if let proxiesNode = reader.node("trustedProxies"), let proxies = collector.stringList(proxiesNode) {
            for (index, proxy) in proxies.enumerated() where !NetworkSyntax.isIPAddressOrCIDR(proxy) {
                collector.error(proxiesNode.path.appending(index: index),
                                "\(ConfigPath.quote(proxy)) is not an IP address or CIDR range (e.g. 10.0.0.0/8)")
            }
            http.trustedProxies = proxies
        }
        http.timeouts = mapTimeouts(reader)
        checkTransportSecurity(http, reader: reader)
        checkAdminGroupNames(http, reader: reader)
        return http
    }

    private func mapTLS(_ reader: ObjectReader) -> TLSConfig {
        var tls = TLSConfig()
        for key in ["cert", "key", "cacert"] {
            guard let node = reader.node(key), let file = collector.nonEmptyString(node) else { continue }
            collector.checkReadableFile(file, at: node.path)
            switch key {
            case "cert": tls.cert = file
            case "key": tls.key = file
            default: tls.cacert = file
            }
        }
        if reader.node("cert") != nil && reader.node("key") == nil {
            collector.error(reader.path(of: "key"), "is required when tls.cert is set")
        }
        if reader.node("key") != nil && reader.node("cert") == nil {
            collector.error(reader.path(of: "cert"), "is required when tls.key is set")
        }
        if reader.node("cacert") != nil && reader.node("cert") == nil {
            collector.error(reader.path(of: "cert"), "is required when tls.cacert is set (client certificates need a TLS server)")
        }
        return tls
    }

    private func mapRateLimit(_ reader: ObjectReader) -> RateLimitConfig {
        var limits = RateLimitConfig()
        if let rateNode = reader.node("rate") {
            limits.rate = collector.positiveNumber(rateNode, naming: "a rate")
        }
        let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        var seen = Set<String>()
        for entry in reader.node("methods").flatMap(collector.list) ?? [] {
            guard let entryReader = ObjectReader(entry, known: ["method", "rate"], collector: collector) else { continue }
            let rate = entryReader.node("rate").flatMap { collector.positiveNumber($0, naming: "a rate") }
            if entryReader.node("rate") == nil { collector.error(entryReader.path(of: "rate"), "is required") }
            guard let methodNode = entryReader.node("method") else {
                collector.error(entryReader.path(of: "method"), "is required")
                continue
            }
            guard let method = collector.string(methodNode) else { continue }
            guard methods.contains(method.uppercased()) else {
                collector.error(methodNode.path, "\(methodNode.quoted) is not an HTTP method (\(methods.joined(separator: ", ")))")
                continue
            }
            guard seen.insert(method.uppercased()).inserted else {
                collector.error(methodNode.path, "\(methodNode.quoted) is listed twice")
                continue
            }
            if let rate { limits.methods.append(MethodRateLimit(method: method.uppercased(), rate: rate)) }
        }
        return limits
    }

    /// With LDAP, a group short name in `adminPolicy` matches only a directory group under the group base;
    /// break-glass rights deserve the unambiguous full DN, so a short name earns a warning.
    private func checkAdminGroupNames(_ http: HTTPConfig, reader: ObjectReader) {
        guard let ldap = http.auth?.ldap, let accessControl = http.accessControl,
              let admin = accessControl.adminPolicy else { return }
        let path = reader.path(of: "accessControl").appending(key: "adminPolicy").appending(key: "groups")
        let base = ldap.groupBaseDN ?? "ou=groups above the domain components of baseDN"
        for group in admin.groups where !group.contains("=") && accessControl.groups[group] == nil {
            collector.notice(path, "names the LDAP group \(ConfigPath.quote(group)) by its short name: it matches only "
                + "cn=\(group) under the group base (\(base)); name the group by its full DN to be unambiguous")
        }
    }

    /// mTLS needs a client CA; passwords over plain HTTP on a non-loopback address earn a notice.
    private func checkTransportSecurity(_ http: HTTPConfig, reader: ObjectReader) {
        guard let auth = http.auth else { return }
        if auth.mtls != nil && http.tls?.cacert == nil {
            collector.error(reader.path(of: "auth").appending(key: "mtls"),
                            "needs http.tls.cacert (the CA that verifies client certificates)")
        }
        let sendsPasswords = auth.htpasswd != nil || auth.ldap != nil || auth.apikey
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(http.address.lowercased())
        if sendsPasswords && http.tls == nil && !loopback {
            collector.notice(reader.path(of: "tls"), "not set: passwords would cross the network in clear text unless a TLS proxy is in front")
        }
    }
}
