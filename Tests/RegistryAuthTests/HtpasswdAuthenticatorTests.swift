import RegistryAuthCore
import Foundation
import NIOCore
@testable import RegistryAuth
import RegistryCore
import Testing

@Suite("htpasswd authenticator")
struct HtpasswdAuthenticatorTests {
    private func authenticate(_ authenticator: HtpasswdAuthenticator, _ user: String, _ password: String) async throws -> Identity? {
        try await authenticator.authenticate(.basic(user, password))
    }

    private func makeAuthenticator(_ directory: TemporaryDirectory, _ lines: [String],
                                   reloadCheckInterval: TimeAmount = .seconds(1),
                                   logs: CapturedLogs = CapturedLogs()) throws -> HtpasswdAuthenticator {
        let path = try directory.write("htpasswd", lines.joined(separator: "\n") + "\n")
        return try HtpasswdAuthenticator(path: path, reloadCheckInterval: reloadCheckInterval, logger: logs.logger)
    }

    @Test("the right password yields an htpasswd identity; a wrong one or an unknown user passes on")
    func rightWrongUnknown() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, ["alice:\(try TestHash.make("wonderland"))"])
        #expect(try await authenticate(authenticator, "alice", "wonderland") == Identity(username: "alice", method: .htpasswd))
        #expect(try await authenticate(authenticator, "alice", "wrong") == nil)
        #expect(try await authenticate(authenticator, "nobody", "wonderland") == nil)
    }

    @Test("the chain rejects a wrong htpasswd password with failDelay")
    func chainRejectsWrongPassword() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, ["alice:\(try TestHash.make("wonderland"))"])
        let chain = AuthenticatorChain([authenticator])
        await #expect(throws: AuthenticationFailure.invalidCredentials("no authenticator accepted Basic credentials for user 'alice'")) {
            try await chain.authenticate(.basic("alice", "nope"))
        }
    }

    @Test("a $2y$ hash written by Apache htpasswd verifies")
    func apacheBcrypt() async throws {
        let line = try TestHash.apacheBcryptLine(user: "apache", password: "p4ss word")
        #expect(line.hasPrefix("apache:$2y$04$"))
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, [line])
        #expect(try await authenticate(authenticator, "apache", "p4ss word")?.username == "apache")
        #expect(try await authenticate(authenticator, "apache", "p4ss wore") == nil)
    }

    @Test("SHA-512 and SHA-256 crypt hashes verify")
    func shaCrypt() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, [
            "six:\(try TestHash.make("six-pw", prefix: "$6$", count: 1000))",
            "five:\(try TestHash.make("five-pw", prefix: "$5$", count: 0))",
        ])
        #expect(try await authenticate(authenticator, "six", "six-pw")?.username == "six")
        #expect(try await authenticate(authenticator, "five", "five-pw")?.username == "five")
        #expect(try await authenticate(authenticator, "six", "five-pw") == nil)
    }

    @Test("a DES line is refused at load with a warning that names the line but not the hash")
    func desLineRejected() async throws {
        let directory = try TemporaryDirectory()
        let logs = CapturedLogs()
        let authenticator = try makeAuthenticator(
            directory, ["old:abgOeLfPimXQo", "alice:\(try TestHash.make("pw"))"], logs: logs)
        #expect(authenticator.usernames == ["alice"])
        let warnings = logs.all.filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("line 1") == true)
        #expect(warnings.first?.contains("abgOeLfPim") == false)
        // "test" is the password the DES hash above was made from; it must not authenticate.
        #expect(try await authenticate(authenticator, "old", "test") == nil)
    }

    @Test("a verified credential is cached: the second request does not call crypt")
    func cacheHit() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, ["alice:\(try TestHash.make("pw"))"])
        #expect(try await authenticate(authenticator, "alice", "pw") != nil)
        #expect(try await authenticate(authenticator, "alice", "pw") != nil)
        #expect(authenticator.cryptInvocationCount == 1)
        #expect(authenticator.cache.count == 1)
    }

    @Test("failed verifications are not cached and each costs one crypt call")
    func failuresNotCached() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, ["alice:\(try TestHash.make("pw"))"])
        _ = try await authenticate(authenticator, "alice", "bad")
        _ = try await authenticate(authenticator, "alice", "bad")
        #expect(authenticator.cryptInvocationCount == 2)
        #expect(authenticator.cache.count == 0)
    }

    @Test("an unknown user costs exactly one crypt call, like a wrong password")
    func unknownUserPaysDummyCost() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, ["alice:\(try TestHash.make("pw", count: 5))"])
        #expect(try await authenticate(authenticator, "ghost", "pw") == nil)
        #expect(authenticator.cryptInvocationCount == 1)
        #expect(try await authenticate(authenticator, "alice", "wrong") == nil)
        #expect(authenticator.cryptInvocationCount == 2)
    }

    @Test("the unknown-user dummy hash has the cost of the file's bcrypt entries")
    func dummyHashMatchesFileCost() throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, [
            "a:\(try TestHash.make("x", count: 6))", "b:\(try TestHash.make("y", count: 6))",
        ])
        #expect(authenticator.dummyHashScheme == .bcrypt(cost: 6))
    }

    @Test("a decoy hash has the scheme's shape, costs libcrypt a full hash with its salt, and matches nothing",
          arguments: [PasswordHashScheme.bcrypt(cost: 5), .sha256Crypt(rounds: 1000), .sha512Crypt(rounds: 1000)])
    func decoyHashCostsAFullHash(_ scheme: PasswordHashScheme) throws {
        let decoy = try #require(scheme.makeDecoyHash())
        #expect(try PasswordHashScheme.classify(decoy) == scheme)
        let computed = try #require(Crypt.hash(phrase: "pw", setting: decoy))
        #expect(try PasswordHashScheme.classify(computed) == scheme)
        #expect(computed.count == decoy.count)
        let saltEnd = decoy.hasPrefix("$2") ? decoy.index(decoy.startIndex, offsetBy: 29) : try #require(decoy.lastIndex(of: "$"))
        #expect(computed[..<saltEnd] == decoy[..<saltEnd])
        #expect(computed != decoy)
        #expect(scheme.makeDecoyHash() != decoy)
    }

    @Test("concurrent requests for the same user all succeed")
    func concurrentVerification() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, ["alice:\(try TestHash.make("pw"))"])
        let accepted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { (try? await authenticator.authenticate(.basic("alice", "pw"))) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(accepted == 20)
        #expect((1...20).contains(authenticator.cryptInvocationCount))
    }

    @Test("a changed file is reloaded and the cache is emptied")
    func reloadInvalidatesCache() async throws {
        let directory = try TemporaryDirectory()
        let logs = CapturedLogs()
        let authenticator = try makeAuthenticator(
            directory, ["alice:\(try TestHash.make("old"))"], reloadCheckInterval: .zero, logs: logs)
        #expect(try await authenticate(authenticator, "alice", "old") != nil)
        #expect(authenticator.cache.count == 1)

        try directory.write("htpasswd", "alice:\(try TestHash.make("new"))\nbob:\(try TestHash.make("b"))\n")
        #expect(try await authenticate(authenticator, "alice", "old") == nil)
        #expect(try await authenticate(authenticator, "alice", "new") != nil)
        #expect(try await authenticate(authenticator, "bob", "b") != nil)
        #expect(authenticator.usernames == ["alice", "bob"])
        #expect(logs.all.contains { $0.contains("reloaded") })
    }

    @Test("the file is not re-examined more often than the check interval")
    func reloadRespectsInterval() async throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let path = try directory.write("htpasswd", "alice:\(try TestHash.make("old"))\n")
        let authenticator = try HtpasswdAuthenticator(path: path, reloadCheckInterval: .seconds(1), now: clock.now)
        try directory.write("htpasswd", "alice:\(try TestHash.make("new"))\n")
        #expect(try await authenticate(authenticator, "alice", "old") != nil)
        clock.advance(by: .seconds(1))
        #expect(try await authenticate(authenticator, "alice", "old") == nil)
        #expect(try await authenticate(authenticator, "alice", "new") != nil)
    }

    @Test("when the file disappears the last good contents stay in force and the error is logged once")
    func unreadableFileKeepsContents() async throws {
        let directory = try TemporaryDirectory()
        let logs = CapturedLogs()
        let authenticator = try makeAuthenticator(
            directory, ["alice:\(try TestHash.make("pw"))"], reloadCheckInterval: .zero, logs: logs)
        try FileManager.default.removeItem(atPath: directory.path("htpasswd"))
        #expect(try await authenticate(authenticator, "alice", "pw") != nil)
        #expect(try await authenticate(authenticator, "alice", "pw") != nil)
        #expect(logs.all.filter { $0.hasPrefix("error") }.count == 1)
    }

    @Test("a missing file at startup is a load error")
    func missingFileAtStartup() {
        #expect(throws: HtpasswdLoadError.self) {
            try HtpasswdAuthenticator(path: "/nonexistent/htpasswd")
        }
    }

    @Test("other schemes pass on and malformed Basic headers are rejected")
    func otherSchemesAndMalformed() async throws {
        let directory = try TemporaryDirectory()
        let authenticator = try makeAuthenticator(directory, ["alice:\(try TestHash.make("pw"))"])
        #expect(try await authenticator.authenticate(AuthenticationRequest(authorizationHeaders: ["Bearer t"])) == nil)
        #expect(try await authenticator.authenticate(AuthenticationRequest()) == nil)
        await #expect(throws: AuthenticationFailure.self) {
            try await authenticator.authenticate(AuthenticationRequest(authorizationHeaders: ["Basic ***"]))
        }
        #expect(authenticator.cryptInvocationCount == 0)
    }
}
