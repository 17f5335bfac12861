import Foundation
import RegistryConfig
import RegistryCore
import Testing
@testable import RegistryPolicy

@Suite("Policy fixtures and dry-run")
struct PolicyFixtureTests {
    /// `/…/policies`, found from this file's location.
    static let policiesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies")

    static let journeys = [
        "journey1-oidc-apikey", "journey2-ci-create-only", "journey3-anonymous-read",
        "journey4-admin-breakglass", "journey5-multi-team",
    ]

    /// Loads a journey config; its `./policies/…` file paths are made absolute so the test runs from any directory.
    static func engine(for journey: String) throws -> PolicyEngine {
        let configURL = policiesDirectory.appendingPathComponent("\(journey).json")
        let text = try String(contentsOf: configURL, encoding: .utf8)
            .replacingOccurrences(of: "\"./policies/", with: "\"\(policiesDirectory.path)/")
        let config = try ConfigLoader.parse(text, format: .json)
        let accessControl = try #require(config.http.accessControl)
        return try PolicyEngine(accessControl)
    }

    @Test("Every journey config meets its expectations fixture", arguments: journeys)
    func journeyFixture(_ journey: String) throws {
        let engine = try Self.engine(for: journey)
        let fixture = try PolicyFixture.load(path: Self.policiesDirectory.appendingPathComponent("\(journey).expectations.json").path)
        #expect(fixture.cases.count >= 8)
        let report = fixture.run(against: engine)
        #expect(report.failureCount == 0, "\(report.text)")
    }

    @Test("A fixture run reports each mismatch and counts them")
    func mismatchesAreReported() throws {
        let engine = try PolicyEngine(AccessControl(repositories: [RepositoryRules(pattern: "**", defaultPolicy: [.read])]))
        let fixture = try PolicyFixture.decode(Data("""
        [{"name": "reads", "user": "a", "repository": "x", "action": "read", "expect": "allow"},
         {"name": "wrongly expects delete", "user": "a", "repository": "x", "action": "delete", "expect": "allow"},
         {"name": "wrongly expects break-glass", "user": "a", "repository": "x", "action": "read", "expect": "allow", "breakGlass": true}]
        """.utf8))
        let report = fixture.run(against: engine)
        #expect(report.failureCount == 2)
        #expect(report.mismatches.map(\.fixtureCase.name) == ["wrongly expects delete", "wrongly expects break-glass"])
        #expect(report.text.contains("MISMATCH wrongly expects delete: expected allow, got deny delete"))
        #expect(report.text.hasSuffix("1 of 3 cases as expected, 2 mismatches"))
    }

    struct BadFixture: Sendable, CustomTestStringConvertible {
        let json: String
        let message: String
        var testDescription: String { message }
    }

    static let badFixtures: [BadFixture] = [
        BadFixture(json: "{", message: "not valid JSON"),
        BadFixture(json: #"{"tests": []}"#, message: "expected an object with a \"cases\" array"),
        BadFixture(json: #"[{"user": "a", "repository": "x", "action": "push", "expect": "allow"}]"#,
                   message: "case 1: unknown action \"push\"; expected read, create, update or delete"),
        BadFixture(json: #"[{"repository": "x", "action": "read", "expect": "allow"}]"#, message: "case 1: missing \"user\""),
        BadFixture(json: #"[{"user": "a", "anonymous": true, "repository": "x", "action": "read", "expect": "deny"}]"#,
                   message: "not both"),
        BadFixture(json: #"[{"name": "n", "user": "a", "repository": "x", "action": "read", "expect": "yes"}]"#,
                   message: "case 1 (\"n\"): \"expect\" must be \"allow\" or \"deny\", not \"yes\""),
        BadFixture(json: #"[{"user": "a", "repo": "x", "action": "read", "expect": "allow"}]"#, message: "unknown key(s) [\"repo\"]"),
        BadFixture(json: #"[{"user": "a", "groups": "dev", "repository": "x", "action": "read", "expect": "allow"}]"#,
                   message: "\"groups\" must be an array of strings"),
    ]

    @Test("Invalid fixtures are rejected with the case and cause", arguments: badFixtures)
    func badFixture(_ bad: BadFixture) {
        #expect {
            _ = try PolicyFixture.decode(Data(bad.json.utf8))
        } throws: { error in
            (error as? PolicyFixtureError)?.message.contains(bad.message) == true
        }
    }

    @Test("A missing fixture file names the path")
    func missingFile() {
        #expect {
            _ = try PolicyFixture.load(path: "/nonexistent/fixture.json")
        } throws: { error in
            (error as? PolicyFixtureError)?.message.hasPrefix("/nonexistent/fixture.json: cannot read fixture file") == true
        }
    }

    @Test("The dry-run text names the deciding entry and the patterns that lost")
    func dryRunText() throws {
        let engine = try Self.engine(for: "journey5-multi-team")
        let dryRun = PolicyDryRun(engine: engine, identity: Identity(username: "alice", method: .htpasswd),
                                  repository: "team-b/shared/base", action: .create)
        let text = dryRun.text
        #expect(text.hasPrefix("ALLOW\n"))
        #expect(text.contains("groups:   team-a"))
        #expect(text.contains("decided:  repositories.\"team-*/shared/**\".policies[0] (matched by group \"team-a\")"))
        #expect(text.contains("entry:    groups [team-a, team-b], actions [read, create]"))
        #expect(text.contains("\"team-b/**\" matches but is shorter than \"team-*/shared/**\""))
        #expect(text.contains("\"**\" matches but is shorter"))
        #expect(text.contains("patterns that do not match \"team-b/shared/base\": \"team-a/**\""))
    }

    @Test("The dry-run JSON carries the decision, rule, entry and losing patterns")
    func dryRunJSON() throws {
        let engine = try Self.engine(for: "journey4-admin-breakglass")
        let dryRun = PolicyDryRun(engine: engine, identity: Identity(username: "root", method: .htpasswd),
                                  repository: "team-a/web", action: .delete)
        let report = try JSONDecoder().decode(PolicyDryRunReport.self, from: Data(try dryRun.json().utf8))
        #expect(report.decision == "allow")
        #expect(report.breakGlass)
        #expect(report.rule.kind == "adminPolicy")
        #expect(report.rule.matchedBy == "user" && report.rule.matchedName == "root")
        #expect(report.entry?.users == ["root"])
        #expect(report.otherMatchingPatterns.map(\.pattern) == ["**"])
        #expect(report.otherMatchingPatterns.first?.decidedBy == "team-a/**")

        let denied = PolicyDryRun(engine: engine, identity: .anonymous, repository: "team-a/web", action: .read)
        let deniedReport = try JSONDecoder().decode(PolicyDryRunReport.self, from: Data(try denied.json().utf8))
        #expect(deniedReport.decision == "deny" && deniedReport.anonymous && deniedReport.user == nil)
        #expect(deniedReport.rule.kind == "defaultDeny" && deniedReport.rule.denyReason == "notGranted")
        #expect(deniedReport.rule.pattern == "team-a/**")
    }
}
