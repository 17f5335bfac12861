import RegistryPolicy

extension ZotConfig {
    /// The authentication methods the server runs, in the order its chain consults them: the `Authorization`
    /// header sources (`htpasswd`, `ldap`, `apikey`, `bearer`), then the client certificate (`mtls`, whenever
    /// `http.tls.cacert` is set), then the browser session (`openid`). This is the one definition of "is
    /// authentication configured": `http.auth` with only `failDelay` configures none.
    public var authenticationMethods: [String] {
        let auth = http.auth
        var names: [String] = []
        if auth?.htpasswd != nil { names.append("htpasswd") }
        if auth?.ldap != nil { names.append("ldap") }
        if auth?.apikey == true { names.append("apikey") }
        if auth?.bearer != nil { names.append("bearer") }
        if http.tls?.cacert != nil { names.append("mtls") }
        if !(auth?.openid?.providers.isEmpty ?? true) { names.append("openid") }
        return names
    }

    /// What access decisions need to know about authentication (see ``AuthenticationSettings``).
    public var authenticationSettings: AuthenticationSettings {
        AuthenticationSettings(methods: authenticationMethods)
    }

    /// As Zot: with a client CA and no password- or token-based method, a client certificate is required;
    /// with one, a certificate is verified when presented.
    public var requiresClientCertificate: Bool {
        guard http.tls?.cacert != nil else { return false }
        let passwordOrToken: Set<String> = ["htpasswd", "ldap", "bearer", "openid"]
        return !authenticationMethods.contains(where: passwordOrToken.contains)
    }
}
