import Testing
@testable import RegistryConfig

@Suite("Referenced files and cross-section rules")
struct FileReferenceTests {
    @Test("Missing htpasswd, TLS and LDAP files are each reported")
    func missingFiles() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path + "/missing"
        let found = messagesByPath(minimalYAML("""
        http:
          tls:
            cert: \(missing).cert
            key: \(missing).key
            cacert: \(directory.path)
          auth:
            htpasswd:
              path: \(missing).htpasswd
            ldap:
              address: ldap.example.org
              baseDN: dc=example
              userAttribute: uid
              credentialsFile: \(missing).json
        """))
        #expect(found["http.tls.cert"] == "file \"\(missing).cert\" does not exist")
        #expect(found["http.tls.key"] == "file \"\(missing).key\" does not exist")
        #expect(found["http.tls.cacert"] == "\"\(directory.path)\" is a directory, not a file")
        #expect(found["http.auth.htpasswd.path"] == "file \"\(missing).htpasswd\" does not exist")
        #expect(found["http.auth.ldap.credentialsFile"] == "file \"\(missing).json\" does not exist")
    }

    @Test("A TLS certificate without its key is an error")
    func certWithoutKey() throws {
        let directory = try TemporaryDirectory()
        let cert = try directory.write("server.cert", "x")
        #expect(messagesByPath(minimalYAML("http:\n  tls:\n    cert: \(cert)\n"))["http.tls.key"] == "is required when tls.cert is set")
    }

    @Test("mTLS without tls.cacert is an error")
    func mtlsNeedsClientCA() throws {
        let directory = try TemporaryDirectory()
        let cert = try directory.write("server.cert", "x")
        let key = try directory.write("server.key", "x")
        let found = messagesByPath(minimalYAML("""
        http:
          tls: {cert: \(cert), key: \(key)}
          auth:
            mtls:
              identityAttributes: [CommonName, Fingerprint]
        """))
        #expect(found["http.auth.mtls"] == "needs http.tls.cacert (the CA that verifies client certificates)")
        #expect(found["http.auth.mtls.identityAttributes[1]"]?.hasPrefix("\"Fingerprint\" is not an identity attribute") == true)
    }

    @Test("Bearer OIDC needs audiences and refuses CEL outside the supported subset, naming the construct")
    func bearerRules() {
        let found = messagesByPath(minimalYAML("""
        http:
          auth:
            bearer:
              oidc:
                - issuer: https://issuer.example
                  audiences: []
                  claimMapping:
                    username: "claims.sub"
                    validations: [{expression: "true", message: x}, {expression: "size(claims.groups) == 1"}]
                    variables: [{name: org, expression: "claims.a ? 'x' : 'y'"}]
        """))
        #expect(found["http.auth.bearer.oidc[0].audiences"] == "must list at least one non-empty audience")
        #expect(found["http.auth.bearer.oidc[0].claimMapping.validations[1].expression"] == "unsupported CEL construct: the function 'size()'")
        #expect(found["http.auth.bearer.oidc[0].claimMapping.variables[0].expression"]?.contains("conditional operator") == true)
        #expect(found["http.auth.bearer.oidc[0].claimMapping.validations[0].expression"] == nil)
        #expect(found["http.auth.bearer.oidc[0].claimMapping.username"] == nil)
    }

    @Test("load(path:) picks the format from the extension and reports unreadable files")
    func loadFromFiles() throws {
        let directory = try TemporaryDirectory()
        let json = try directory.write("config.json", #"{"storage": {"rootDirectory": "/tmp/zot"}}"#)
        let yaml = try directory.write("config.yml", "storage:\n  rootDirectory: /tmp/zot\n")
        let unknownExtension = try directory.write("config.conf", "storage:\n  rootDirectory: /tmp/zot\n")
        #expect(try ConfigLoader.load(path: json).storage.rootDirectory == "/tmp/zot")
        #expect(try ConfigLoader.load(path: yaml).storage.rootDirectory == "/tmp/zot")
        #expect(try ConfigLoader.load(path: unknownExtension).storage.rootDirectory == "/tmp/zot")
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: directory.path + "/absent.json") }
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: directory.path) }
    }
}
