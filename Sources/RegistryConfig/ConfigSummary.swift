extension ZotConfig {
    /// A few human-readable lines describing what the config does (for `verify`): listen address, auth methods,
    /// access rules, storage.
    public var summaryLines: [String] {
        let scheme = http.tls == nil ? "http" : "https"
        let host = http.address.contains(":") ? "[\(http.address)]" : http.address
        var lines = ["listen: \(scheme)://\(host):\(http.port)"]
        let methods = authenticationMethods
        lines.append("auth: " + (methods.isEmpty ? "none (anonymous only)" : methods.joined(separator: ", ")))
        if let service = http.auth?.tokenService, service.enable {
            lines.append("token service: GET /auth/token, \(service.lifetimeSeconds)s tokens, key \(service.keyFile ?? "<rootDirectory>/token-service/signing-key.pem")"
                         + "; requested ∩ accessControl")
        }
        if let bearer = http.auth?.bearer, let cert = bearer.cert {
            lines.append("bearer tokens: token server \(bearer.realm ?? "?") for service \(bearer.service ?? "?"), key \(cert)"
                         + (bearer.issuer.map { ", issuer \($0)" } ?? "") + "; access ∩ accessControl")
        }
        if let accessControl = http.accessControl {
            let count = accessControl.repositories.count
            var rules = "access rules: \(count) repository pattern\(count == 1 ? "" : "s")"
            if accessControl.adminPolicy != nil { rules += ", adminPolicy" }
            lines.append(rules)
        } else {
            lines.append("access rules: none (no accessControl section)")
        }
        lines.append("storage: \(storage.rootDirectory) (\(storage.settingsText))")
        for (route, sub) in storage.subPaths.sorted(by: { $0.key < $1.key }) {
            lines.append("storage route \(route)/… → \(sub.rootDirectory)/\(route.dropFirst())/… (\(sub.settingsText))")
        }
        if !storage.subPaths.isEmpty { lines.append("storage route other names → \(storage.rootDirectory)") }
        return lines
    }
}

extension StorageConfig {
    /// `dedupe`, `gc` and `commit` as `verify` shows them.
    var settingsText: String {
        var parts = ["dedupe \(dedupe ? "on" : "off")", gc ? "gc every \(gcInterval ?? "1h") after \(gcDelay ?? "1h")" : "gc off"]
        if commit { parts.append("commit (fsync)") }
        return parts.joined(separator: ", ")
    }
}
