import Testing
@testable import RegistryConfig

@Suite("http.auth.bearer token-server mode")
struct BearerTokenServerConfigTests {
    func yaml(_ bearer: String, cert: String) -> String {
        minimalYAML("http:\n  auth:\n    bearer:\n      cert: \(cert)\n" + bearer)
    }

    @Test("realm, service, cert and our issuer key are read")
    func parsed() throws {
        let directory = try TemporaryDirectory()
        let cert = try directory.write("cert.pem", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
        let config = try ConfigLoader.parse(yaml("      realm: https://auth.test/token\n      service: registry.test\n      issuer: auth\n", cert: cert), format: .yaml)
        #expect(config.http.auth?.bearer == BearerConfig(realm: "https://auth.test/token", service: "registry.test", cert: cert, issuer: "auth"))
        #expect(config.summaryLines.contains { $0.hasPrefix("bearer tokens: token server https://auth.test/token for service registry.test") })
    }

    @Test("realm and service beside bearer.oidc alone are named as having no effect, not silently kept")
    func realmWithoutCertIsNoticed() throws {
        let config = try ConfigLoader.parse(minimalYAML("""
            http:
              auth:
                bearer:
                  realm: https://auth.test/token
                  service: registry.test
                  oidc: [{issuer: https://ci.test, audiences: [zot]}]

            """), format: .yaml)
        #expect(config.notices.map(\.path).filter { $0.hasPrefix("http.auth.bearer.") }.sorted()
                == ["http.auth.bearer.realm", "http.auth.bearer.service"])
    }

    @Test("With cert, realm must be an http(s) URL and both realm and service fit in a header")
    func realmAndService() throws {
        let directory = try TemporaryDirectory()
        let cert = try directory.write("cert.pem", "x")
        let notURL = messagesByPath(yaml("      realm: zot\n      service: registry.test\n", cert: cert))
        #expect(notURL["http.auth.bearer.realm"]?.contains("is not an http(s) URL") == true)
        let quoted = messagesByPath(yaml("      realm: https://auth.test/token\n      service: 'a\"b'\n", cert: cert))
        #expect(quoted["http.auth.bearer.service"]?.contains("WWW-Authenticate") == true)
        let missing = messagesByPath(yaml("      realm: https://auth.test/token\n", cert: cert))
        #expect(missing["http.auth.bearer.service"] == "is required when bearer.cert is set")
    }

    @Test("issuer without cert is an error rather than ignored, and awsSecretsManager stays not implemented")
    func noSilentKeys() {
        let found = messagesByPath(minimalYAML("http:\n  auth:\n    bearer:\n      issuer: auth\n      oidc:\n        issuer: https://ci.test\n        audiences: [zot]\n"))
        #expect(found["http.auth.bearer.issuer"]?.contains("has no effect without bearer.cert") == true)
        let aws = messagesByPath(minimalYAML("http:\n  auth:\n    bearer:\n      awsSecretsManager: {}\n"))
        #expect(aws["http.auth.bearer.awsSecretsManager"]?.contains("not implemented") == true)
    }
}
