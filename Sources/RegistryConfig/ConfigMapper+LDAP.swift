/// Key list for `http.auth.ldap`.
enum LDAPKeys {
    static let known = ["address", "port", "insecure", "startTLS", "skipVerify", "caCert", "baseDN", "userAttribute",
                        "userFilter", "userGroupAttribute", "subtreeSearch", "credentialsFile", "bindDN", "bindPassword", "groupBaseDN"]
}

extension ConfigMapper {
    /// `http.auth.ldap`: address, baseDN and userAttribute are required; files must be readable.
    func mapLDAP(_ reader: ObjectReader) -> LDAPConfig? {
        let addressNode = reader.node("address")
        let address = reader.requiredString("address")
        if let addressNode, let address, !NetworkSyntax.isIPAddress(address) && !NetworkSyntax.isHostName(address) {
            collector.error(addressNode.path, "\(addressNode.quoted) is not an IP address or host name")
        }
        let baseDN = reader.requiredString("baseDN")
        let userAttribute = reader.requiredString("userAttribute")
        let insecure = reader.bool("insecure") ?? false
        let startTLS = reader.bool("startTLS") ?? false
        if insecure && startTLS {
            collector.error(reader.path(of: "startTLS"), "cannot be combined with insecure: true")
        }
        let skipVerify = reader.bool("skipVerify") ?? false
        if skipVerify {
            collector.notice(reader.path(of: "skipVerify"), "the LDAP server's certificate will not be verified")
        }
        var port = insecure || startTLS ? 389 : 636
        if let portNode = reader.node("port"), let configured = collector.integer(portNode, naming: "a port number", in: 1...65535) {
            port = configured
        }
        let caCert = readableFile(reader, "caCert")
        let credentialsFile = readableFile(reader, "credentialsFile")
        let bindDN = reader.string("bindDN")
        let bindPassword = reader.string("bindPassword")
        if bindDN != nil || bindPassword != nil {
            collector.notice(reader.path(of: "bindDN"), "bindDN/bindPassword in the main config are deprecated in Zot; prefer credentialsFile")
        }
        if credentialsFile != nil && (bindDN != nil || bindPassword != nil) {
            collector.error(reader.path(of: "credentialsFile"), "cannot be combined with bindDN/bindPassword")
        }
        guard let address, let baseDN, let userAttribute else { return nil }
        var config = LDAPConfig(address: address, port: port, insecure: insecure, startTLS: startTLS, skipVerify: skipVerify,
                          caCert: caCert, baseDN: baseDN, userAttribute: userAttribute, userFilter: reader.string("userFilter"),
                          userGroupAttribute: reader.string("userGroupAttribute"),
                          subtreeSearch: reader.bool("subtreeSearch") ?? false, credentialsFile: credentialsFile,
                          bindDN: bindDN, bindPassword: bindPassword)
        if let node = reader.node("groupBaseDN") { config.groupBaseDN = collector.nonEmptyString(node) }
        return config
    }

    /// A non-empty file name under `key` that names a readable file (problems reported).
    func readableFile(_ reader: ObjectReader, _ key: String) -> String? {
        guard let node = reader.node(key), let file = collector.nonEmptyString(node) else { return nil }
        collector.checkReadableFile(file, at: node.path)
        return file
    }
}
