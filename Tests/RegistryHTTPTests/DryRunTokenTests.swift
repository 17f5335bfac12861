import Foundation
import RegistryConfig
import RegistryCore
import Testing
@testable import RegistryApp

@Suite("zot-authz test --token: a registry token is policy ∩ its access")
struct DryRunTokenTests {
    @Test("A token's subject and access become a scoped identity, verified with bearer.cert; a forged one is explained with a warning")
    func tokenIdentity() throws {
        let directory = try TemporaryDirectory()
        let server = TestTokenServer()
        let certPath = directory.path + "/cert.pem"
        try server.publicKeyPEM.write(toFile: certPath, atomically: true, encoding: .utf8)
        let json = """
        {"storage": {"rootDirectory": "\(directory.path)/storage"}, "http": {"address": "127.0.0.1", "port": 5000,
         "auth": {"bearer": {"realm": "https://auth.test/token", "service": "registry.test", "cert": "\(certPath)"}}}}
        """
        let config = try ConfigLoader.parse(json, format: .json)
        let token = try server.token(sub: "alice", access: [("team/app", ["pull"])])
        let resolved = try DryRunIdentity.resolve(DryRunIdentityOptions(token: token), config: config)
        #expect(resolved.identity.username == "alice" && resolved.identity.method == .registryToken)
        #expect(resolved.identity.scopes == [AccessScope(repositories: "team/app", actions: [.read])])
        #expect(resolved.warnings.isEmpty)
        let forged = try TestTokenServer().token(sub: "alice", access: [("team/app", ["*"])])
        let explained = try DryRunIdentity.resolve(DryRunIdentityOptions(token: forged), config: config)
        #expect(explained.warnings.contains { $0.contains("the server would refuse this token") })
        #expect(throws: DryRunIdentityError.self) { try DryRunIdentity.resolve(DryRunIdentityOptions(token: "nope"), config: config) }
        #expect(throws: DryRunIdentityError.self) { try DryRunIdentity.resolve(DryRunIdentityOptions(anonymous: true, token: token), config: config) }
    }
}
