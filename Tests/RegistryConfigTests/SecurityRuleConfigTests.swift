import RegistryConfig
import Testing

@Suite("Config checks for security rules")
struct SecurityRuleConfigTests {
    static func ldapYAML(admin groups: String, extra: String = "") -> String {
        minimalYAML("""
        http:
          auth:
            ldap:
              address: 127.0.0.1
              insecure: true
              baseDN: ou=people,dc=example,dc=org
              userAttribute: uid
              userGroupAttribute: memberOf
              bindDN: cn=reader,dc=example,dc=org
              bindPassword: secret\(extra)
          accessControl:
            adminPolicy:
              groups: \(groups)
              actions: [read]
            groups:
              localadmins: {users: [root]}
        """)
    }

    @Test("with LDAP, adminPolicy naming a group by short name earns a notice; full DNs and local groups do not")
    func adminPolicyShortGroupName() throws {
        let short = try ConfigLoader.parse(Self.ldapYAML(admin: "[admins]"), format: .yaml)
        let notice = try #require(short.notices.first { $0.path == "http.accessControl.adminPolicy.groups" })
        #expect(notice.message.contains("\"admins\" by its short name"))
        let full = try ConfigLoader.parse(Self.ldapYAML(admin: "[\"cn=admins,ou=groups,dc=example,dc=org\", localadmins]"), format: .yaml)
        #expect(!full.notices.contains { $0.path == "http.accessControl.adminPolicy.groups" })
    }

    @Test("groupBaseDN is read and named in the notice")
    func groupBaseDN() throws {
        let config = try ConfigLoader.parse(Self.ldapYAML(admin: "[admins]", extra: "\n      groupBaseDN: ou=teams,dc=example,dc=org"),
                                            format: .yaml)
        #expect(config.http.auth?.ldap?.groupBaseDN == "ou=teams,dc=example,dc=org")
        #expect(config.notices.contains { $0.message.contains("ou=teams,dc=example,dc=org") })
    }

    @Test("a SAN index whose attribute is not among identityAttributes is an error, not silently ignored")
    func unusedSANIndex() {
        let found = messagesByPath(minimalYAML("""
        http:
          tls: {cert: /nonexistent.crt, key: /nonexistent.key, cacert: /nonexistent-ca.crt}
          auth:
            mtls:
              identityAttributes: [CommonName]
              dnsSanIndex: 1
        """))
        #expect(found["http.auth.mtls.dnsSanIndex"]?.contains("identityAttributes does not contain DNSName") == true)
    }
}

@Suite("Loading without file checks")
struct UncheckedFilesConfigTests {
    @Test("a config naming a missing htpasswd file loads when files are not checked (zot-authz test), not otherwise")
    func missingFilesTolerated() throws {
        let text = minimalYAML("http:\n  auth:\n    htpasswd:\n      path: /nonexistent/journeys.htpasswd\n")
        #expect(messagesByPath(text)["http.auth.htpasswd.path"] != nil)
        let config = try ConfigLoader.parse(text, format: .yaml, checkingFiles: false)
        #expect(config.http.auth?.htpasswd?.path == "/nonexistent/journeys.htpasswd")
    }
}
