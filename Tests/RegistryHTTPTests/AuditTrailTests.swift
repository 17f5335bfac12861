import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("Audit trail")
struct AuditTrailTests {
    static func setup(_ auditPath: String) -> RegistrySetup {
        RegistrySetup(
            users: [("ci", "ci-secret-42"), ("root", "root-secret-42")],
            accessControl: """
            {"repositories":{"ci/**":{"policies":[{"users":["ci"],"actions":["read","create"]}]}},\
            "adminPolicy":{"users":["root"],"actions":["read","create","update","delete"]}}
            """,
            auditPath: auditPath)
    }

    static func events(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test("An admin break-glass delete, a denied push and a failed login are each recorded, and no secret is")
    func decisionsAreRecorded() async throws {
        let directory = try TemporaryDirectory()
        let auditPath = directory.path + "/audit.log"
        try await withRegistry(Self.setup(auditPath)) { client in
            let image = TestImage(seed: "audit")
            try await client.pushImage("ci/app", "v1", image, headers: basicAuthorization("ci", "ci-secret-42"))
            // Denied: ci may not delete.
            try await client.execute(uri: "/v2/ci/app/manifests/v1", method: .delete, headers: basicAuthorization("ci", "ci-secret-42")) {
                #expect($0.status == .forbidden)
            }
            // Failed login.
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("ci", "wrong-password-99")) {
                #expect($0.status == .unauthorized)
            }
            // Break-glass: only the admin policy grants root the delete.
            try await client.execute(uri: "/v2/ci/app/manifests/v1", method: .delete, headers: basicAuthorization("root", "root-secret-42")) {
                #expect($0.status == .accepted)
            }
        }
        let events = try Self.events(auditPath)
        let breakGlass = events.filter { $0["breakGlass"] as? Bool == true }
        #expect(breakGlass.count == 1)
        #expect(breakGlass.first?["user"] as? String == "root")
        #expect(breakGlass.first?["action"] as? String == "delete")
        #expect(breakGlass.first?["result"] as? String == "allow")
        #expect((breakGlass.first?["rule"] as? String)?.contains("admin") == true)

        let denied = events.filter { $0["result"] as? String == "deny" && $0["user"] as? String == "ci" }
        #expect(denied.count == 1)
        #expect(denied.first?["action"] as? String == "delete")
        #expect(denied.first?["repository"] as? String == "ci/app")

        let failures = events.filter { $0["result"] as? String == "auth-failure" }
        #expect(failures.count == 1)
        #expect(failures.first?["reason"] as? String == "invalid-credentials")
        // The attempted user name and the kind of credential tried are recorded; the password never is.
        #expect(failures.first?["authMethod"] as? String == "basic")
        #expect(failures.first?["user"] as? String == "ci")

        let pushes = events.filter { $0["result"] as? String == "allow" && $0["action"] as? String == "create" }
        #expect(!pushes.isEmpty)
        #expect(pushes.allSatisfy { $0["authMethod"] as? String == "htpasswd" && $0["requestId"] as? String != nil })

        let text = try String(contentsOfFile: auditPath, encoding: .utf8)
        for secret in ["ci-secret-42", "root-secret-42", "wrong-password-99", "Basic "] {
            #expect(!text.contains(secret), "the audit trail must never hold \(secret)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: auditPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("After the audit file is rotated away, the next decision goes to a new file at the same path")
    func reopensAfterRotation() async throws {
        let directory = try TemporaryDirectory()
        let auditPath = directory.path + "/audit.log"
        try await withRegistry(Self.setup(auditPath)) { client in
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("ci", "ci-secret-42")) { _ in }
            try FileManager.default.moveItem(atPath: auditPath, toPath: auditPath + ".1")
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("root", "root-secret-42")) { _ in }
        }
        #expect(try Self.events(auditPath + ".1").map { $0["user"] as? String } == ["ci"])
        #expect(try Self.events(auditPath).map { $0["user"] as? String } == ["root"])
    }
}
