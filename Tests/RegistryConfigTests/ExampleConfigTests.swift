import Foundation
import RegistryCore
import RegistryPolicy
import Testing
@testable import RegistryConfig

@Suite("Zot example configs")
struct ExampleConfigTests {
    static let zotPolicyJSON = """
    {
      "distSpecVersion": "1.1.1",
      "storage": { "rootDirectory": "/tmp/zot", "gcDelay": "1h", "gcInterval": "24h", "dedupe": false },
      "http": {
        "address": "0.0.0.0",
        "port": "8080",
        "realm": "zot",
        "auth": { "htpasswd": { "path": "HTPASSWD" }, "failDelay": 1 },
        "accessControl": {
          "repositories": {
            "**": {
              "policies": [ { "users": ["charlie"], "actions": ["read", "create", "update"] } ],
              "defaultPolicy": ["read", "create"]
            },
            "infra/**": {
              "policies": [
                { "users": ["alice", "bob"], "actions": ["create", "read", "update", "delete"] },
                { "groups": ["ops"], "actions": ["read"] }
              ],
              "defaultPolicy": ["read"],
              "anonymousPolicy": ["read"]
            }
          },
          "adminPolicy": { "users": ["admin"], "actions": ["read", "create", "update", "delete"] },
          "groups": { "ops": { "users": ["dave"] } },
          "metrics": { "users": ["prometheus"] }
        },
        "ratelimit": { "rate": 10, "methods": [ { "method": "GET", "rate": 5 } ] }
      },
      "log": { "level": "debug", "output": "/tmp/zot.log" },
      "extensions": { "metrics": { "enable": true, "prometheus": { "path": "/metrics" } }, "search": { "enable": true } }
    }
    """

    static let zotPolicyYAML = """
    distSpecVersion: "1.1.1"
    storage:
      rootDirectory: /tmp/zot
      gcDelay: 1h
      gcInterval: 24h
      dedupe: false
    http:
      address: 0.0.0.0
      port: "8080"
      realm: zot
      auth:
        htpasswd:
          path: HTPASSWD
        failDelay: 1
      accessControl:
        repositories:
          "**":
            policies:
              - users: [charlie]
                actions: [read, create, update]
            defaultPolicy: [read, create]
          infra/**:
            policies:
              - users: [alice, bob]
                actions: [create, read, update, delete]
              - groups: [ops]
                actions: [read]
            defaultPolicy: [read]
            anonymousPolicy: [read]
        adminPolicy:
          users: [admin]
          actions: [read, create, update, delete]
        groups:
          ops:
            users: [dave]
        metrics:
          users: [prometheus]
      ratelimit:
        rate: 10
        methods:
          - method: GET
            rate: 5
    log:
      level: debug
      output: /tmp/zot.log
    extensions:
      metrics:
        enable: true
        prometheus:
          path: /metrics
      search:
        enable: true
    """

    @Test("The Zot policy example parses identically from JSON and YAML", arguments: [ConfigFormat.json, .yaml])
    func policyExampleParses(format: ConfigFormat) throws {
        let directory = try TemporaryDirectory()
        let htpasswd = try directory.write("htpasswd", "alice:$2y$05$abcdefghijklmnopqrstuu5XhzKDsxwS0NcWxVcYqFNOs8XvUJ3mK\n")
        let text = (format == .json ? Self.zotPolicyJSON : Self.zotPolicyYAML).replacingOccurrences(of: "HTPASSWD", with: htpasswd)
        let config = try ConfigLoader.parse(text, format: format)

        #expect(config.distSpecVersion == "1.1.1")
        #expect(config.http.address == "0.0.0.0")
        #expect(config.http.port == 8080)
        #expect(config.http.realm == "zot")
        #expect(config.http.auth?.htpasswd?.path == htpasswd)
        #expect(config.http.auth?.failDelay == 1)
        #expect(config.authenticationMethods == ["htpasswd"])
        let accessControl = try #require(config.http.accessControl)
        #expect(accessControl.repositories.map(\.pattern) == ["**", "infra/**"])
        #expect(accessControl.repositories[1].policies[1] == PolicyEntry(groups: ["ops"], actions: [.read]))
        #expect(accessControl.repositories[1].anonymousPolicy == [.read])
        #expect(accessControl.adminPolicy?.users == ["admin"])
        #expect(accessControl.groups == ["ops": ["dave"]])
        #expect(accessControl.metricsUsers == ["prometheus"])
        #expect(config.http.ratelimit == RateLimitConfig(rate: 10, methods: [MethodRateLimit(method: "GET", rate: 5)]))
        #expect(config.storage.rootDirectory == "/tmp/zot")
        #expect(config.storage.dedupe == false)
        #expect(config.storage.gc == true)
        #expect(config.storage.gcDelaySeconds == 3600)
        #expect(config.storage.gcIntervalSeconds == 86400)
        #expect(config.log == LogConfig(level: "debug", output: "/tmp/zot.log"))
        #expect(config.extensions.metrics == MetricsExtensionConfig(enable: true, path: "/metrics"))
        #expect(config.extensions.acceptedSections == ["search"])
        #expect(config.notices.contains { $0.path == "extensions.search" })
    }

    @Test("Zot's mTLS, bearer OIDC, LDAP and OpenID sections map to typed values")
    func authSectionsParse() throws {
        let directory = try TemporaryDirectory()
        let cert = try directory.write("server.cert", "cert")
        let key = try directory.write("server.key", "key")
        let ca = try directory.write("ca.crt", "ca")
        let ldapCredentials = try directory.write("ldap.json", "{}")
        let oidcCredentials = try directory.write("oidc.json", "{}")
        let text = """
        {
          "storage": { "rootDirectory": "/tmp/zot" },
          "http": {
            "address": "127.0.0.1", "port": 8443,
            "tls": { "cert": "\(cert)", "key": "\(key)", "cacert": "\(ca)" },
            "trustedProxies": ["10.0.0.0/8", "::1"],
            "auth": {
              "mtls": { "identityAttributes": ["URI", "cn"], "uriSanPattern": "spiffe://example.org/workload/(.*)" },
              "ldap": { "address": "ldap.example.org", "port": 636, "baseDN": "ou=users,dc=example,dc=org",
                        "userAttribute": "uid", "userGroupAttribute": "memberOf", "credentialsFile": "\(ldapCredentials)" },
              "openid": { "providers": { "oidc": { "issuer": "https://iam.example.com", "credentialsFile": "\(oidcCredentials)",
                          "scopes": ["openid"], "claimMapping": { "username": "preferred_username", "groups": "groups" } } } },
              "bearer": { "realm": "zot", "service": "zot-service",
                          "oidc": { "issuer": "https://kubernetes.default.svc", "audiences": ["zot"], "claimMapping": { "username": "sub" } } },
              "apikey": true
            }
          }
        }
        """
        let config = try ConfigLoader.parse(text, format: .json)
        let auth = try #require(config.http.auth)
        #expect(auth.mtls?.identityAttributes == ["URI", "CommonName"])
        #expect(auth.mtls?.uriSanPattern == "spiffe://example.org/workload/(.*)")
        #expect(auth.ldap?.address == "ldap.example.org")
        #expect(auth.ldap?.userGroupAttribute == "memberOf")
        #expect(auth.openid?.providers["oidc"]?.claimMapping == ClaimMapping(username: "preferred_username", groups: "groups"))
        #expect(auth.bearer?.oidc == [BearerOIDCConfig(issuer: "https://kubernetes.default.svc", audiences: ["zot"],
                                                       claimMapping: ClaimMapping(username: "sub"))])
        #expect(auth.apikey)
        #expect(config.authenticationMethods == ["ldap", "apikey", "bearer", "mtls", "openid"])
        #expect(config.http.trustedProxies == ["10.0.0.0/8", "::1"])
        #expect(config.http.tls == TLSConfig(cert: cert, key: key, cacert: ca))
    }

    @Test("The embedded default config equals policies/default.yaml and grants anonymous full access on loopback")
    func defaultConfig() throws {
        let config = try ConfigDefaults.config()
        #expect(config.http.address == "127.0.0.1")
        #expect(config.http.port == 5000)
        #expect(config.http.auth == nil)
        #expect(config.storage.rootDirectory == "./zot-data")
        #expect(config.http.accessControl?.repositories == [
            RepositoryRules(pattern: "**", anonymousPolicy: [.read, .create, .update, .delete]),
        ])
        let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: repositoryRoot.appendingPathComponent("policies/default.yaml"), encoding: .utf8)
        #expect(file.trimmingCharacters(in: .newlines) == ConfigDefaults.yaml.trimmingCharacters(in: .newlines))
    }

    @Test("Defaults apply when sections are absent")
    func defaultsApply() throws {
        let config = try ConfigLoader.parse(minimalYAML(), format: .yaml)
        #expect(config.http.address == "127.0.0.1")
        #expect(config.http.port == 5000)
        #expect(config.http.realm == "zot-authz")
        #expect(config.http.accessControl == nil)
        #expect(config.storage.dedupe && config.storage.gc && !config.storage.commit)
        #expect(config.log.level == "info")
        #expect(config.summaryLines.first == "listen: http://127.0.0.1:5000")
    }
}
