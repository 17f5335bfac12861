import Foundation
@testable import RegistryAuth
import RegistryAuthCore
import Testing

@Suite("htpasswd file switch (config reload)")
struct HtpasswdSwitchTests {
    @Test("Switching to another file serves its users and forgets the old file's cached logins")
    func switchServesTheNewFile() async throws {
        let directory = try TemporaryDirectory()
        let first = try directory.write("first", "alice:\(try TestHash.make("wonderland"))\n")
        let second = try directory.write("second", "bob:\(try TestHash.make("builder"))\n")
        let authenticator = try HtpasswdAuthenticator(path: first)
        #expect(try await authenticator.authenticate(.basic("alice", "wonderland"))?.username == "alice")
        try authenticator.switchFile(to: second)
        #expect(authenticator.path == second)
        #expect(try await authenticator.authenticate(.basic("alice", "wonderland")) == nil)
        #expect(try await authenticator.authenticate(.basic("bob", "builder"))?.username == "bob")
    }

    @Test("A file that cannot be loaded is refused and the current one stays in force")
    func unreadableFileKeepsTheCurrentOne() async throws {
        let directory = try TemporaryDirectory()
        let first = try directory.write("first", "alice:\(try TestHash.make("wonderland"))\n")
        let authenticator = try HtpasswdAuthenticator(path: first)
        #expect(throws: HtpasswdLoadError.self) { try authenticator.switchFile(to: directory.path("missing")) }
        #expect(authenticator.path == first)
        #expect(try await authenticator.authenticate(.basic("alice", "wonderland"))?.username == "alice")
    }
}
