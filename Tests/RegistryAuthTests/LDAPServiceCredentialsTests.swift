import Foundation
import NIOCore
@testable import RegistryAuth
import Testing

@Suite("LDAP service credentials")
struct LDAPServiceCredentialsTests {
    private func parse(_ text: String) throws(LDAPCredentialsError) -> LDAPServiceCredentials {
        try LDAPServiceCredentials.parse(json: Data(text.utf8))
    }

    @Test("Zot's credentials file parses; unknown members are ignored")
    func parsesZotFormat() throws {
        let credentials = try parse(#"{"bindDN": "cn=reader,dc=example,dc=org", "bindPassword": "s3cret", "comment": 1}"#)
        #expect(credentials.bindDN == "cn=reader,dc=example,dc=org")
        #expect(credentials.bindPassword == "s3cret")
        #expect(!credentials.isAnonymous)
        #expect(!credentials.description.contains("s3cret"))
    }

    @Test("both members empty means an anonymous search")
    func anonymous() throws {
        #expect(try parse(#"{"bindDN": "", "bindPassword": ""}"#) == .anonymous)
    }

    @Test("malformed files are refused with a precise reason", arguments: [
        ("not json", LDAPCredentialsError.notJSON),
        (#"["cn=x", "y"]"#, .notAnObject),
        (#"{"bindPassword": "x"}"#, .missingMember("bindDN")),
        (#"{"bindDN": "cn=x"}"#, .missingMember("bindPassword")),
        (#"{"bindDN": 7, "bindPassword": "x"}"#, .notAString("bindDN")),
        (#"{"bindDN": "cn=x", "bindPassword": null}"#, .notAString("bindPassword")),
        (#"{"bindDN": "cn=x", "bindPassword": ""}"#, .emptyPassword),
        (#"{"bindDN": "", "bindPassword": "x"}"#, .missingBindDN),
    ])
    func refused(text: String, expected: LDAPCredentialsError) {
        #expect(throws: expected) { try parse(text) }
    }

    @Test("the file is reloaded when it changes, at most once per interval, keeping the last good version on error")
    func reloads() async throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let logs = CapturedLogs()
        let path = try directory.write("creds.json", #"{"bindDN": "cn=one", "bindPassword": "first-secret"}"#)
        let file = try LDAPCredentialsFile(path: path, logger: logs.logger, now: clock.now)
        #expect(await file.current().credentials.bindDN == "cn=one")

        try directory.write("creds.json", #"{"bindDN": "cn=two", "bindPassword": "second-secret"}"#)
        #expect(await file.current().credentials.bindDN == "cn=one", "checked again before the interval passed")
        clock.advance(by: .seconds(1))
        let reloaded = await file.current()
        #expect(reloaded.credentials.bindDN == "cn=two")
        #expect(reloaded.generation == 1)

        try directory.write("creds.json", "{ broken")
        clock.advance(by: .seconds(1))
        let kept = await file.current()
        #expect(kept.credentials.bindDN == "cn=two")
        #expect(kept.generation == 1)
        #expect(logs.all.contains { $0.contains("reload failed") })
        #expect(!logs.all.contains { $0.contains("secret") })
    }

    @Test("a missing credentials file is a setup error naming the config key and the path")
    func missingFileFailsSetup() throws {
        let config = LDAPTestConfig.make(credentialsFile: "/nonexistent/creds.json")
        do {
            _ = try LDAPAuthenticator(config: config)
            Issue.record("setup should have failed")
        } catch {
            #expect(error.configPath == "http.auth.ldap.credentialsFile")
            #expect(error.description.contains("/nonexistent/creds.json"))
        }
    }
}
