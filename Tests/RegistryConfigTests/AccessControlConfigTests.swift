import RegistryPolicy
import Testing
@testable import RegistryConfig

@Suite("accessControl mapping")
struct AccessControlConfigTests {
    @Test("Unknown action names are errors naming the list element")
    func badActions() {
        let found = messagesByPath(minimalYAML("""
        http:
          accessControl:
            repositories:
              "team/**":
                policies:
                  - users: [alice]
                    actions: [read, push]
                defaultPolicy: [pull]
            adminPolicy:
              users: [root]
              actions: [everything]
        """))
        #expect(found["http.accessControl.repositories.\"team/**\".policies[0].actions[1]"] == "\"push\" is not an action (read, create, update, delete)")
        #expect(found["http.accessControl.repositories.\"team/**\".defaultPolicy[0]"] == "\"pull\" is not an action (read, create, update, delete)")
        #expect(found["http.accessControl.adminPolicy.actions[0]"] == "\"everything\" is not an action (read, create, update, delete)")
    }

    @Test("Invalid repository globs are errors naming the pattern")
    func badGlobs() {
        let found = messagesByPath(minimalYAML("""
        http:
          accessControl:
            repositories:
              "team-[a/**":
                defaultPolicy: [read]
              "ok/**":
                defaultPolicy: [read]
        """))
        let message = found["http.accessControl.repositories.\"team-[a/**\""]
        #expect(message?.hasPrefix("\"team-[a/**\" is not a valid repository glob: ") == true)
        #expect(found.count == 1)
    }

    @Test("The pre-2.0 layout (globs directly under accessControl) gets a precise error")
    func legacyLayout() {
        let found = messagesByPath(minimalYAML("""
        http:
          accessControl:
            "**":
              defaultPolicy: [read]
            adminPolicy:
              users: [admin]
              actions: [read]
        """))
        #expect(found["http.accessControl.\"**\""]?.contains("pre-2.0 Zot layout") == true)
        #expect(found["http.accessControl.\"**\""]?.hasSuffix("move this entry to http.accessControl.repositories.\"**\"") == true)
        #expect(found["http.accessControl.adminPolicy"] == nil)
    }

    @Test("Groups and metrics map onto the policy model")
    func groupsAndMetrics() throws {
        let config = try ConfigLoader.parse(minimalYAML("""
        http:
          accessControl:
            groups:
              devs:
                users: [alice, bob]
            metrics:
              users: [prom]
              anonymousPolicy: [read]
        """), format: .yaml)
        let accessControl = try #require(config.http.accessControl)
        #expect(accessControl.groups == ["devs": ["alice", "bob"]])
        #expect(accessControl.metricsUsers == ["prom"])
        #expect(accessControl.metricsAnonymousRead)
        #expect(accessControl.repositories.isEmpty)
    }

    @Test("Metrics anonymousPolicy accepts only read")
    func metricsOnlyRead() {
        let found = messagesByPath(minimalYAML("http:\n  accessControl:\n    metrics:\n      anonymousPolicy: [read, delete]\n"))
        #expect(found["http.accessControl.metrics.anonymousPolicy[1]"] == "\"delete\" does not apply to /metrics (only read)")
    }

    @Test("A policy list of the wrong type is reported, not crashed on")
    func wrongTypes() {
        let found = messagesByPath(minimalYAML("""
        http:
          accessControl:
            repositories:
              "**":
                policies: {users: [a]}
                anonymousPolicy: read
        """))
        #expect(found["http.accessControl.repositories.\"**\".policies"] == "expected a list, got an object")
        #expect(found["http.accessControl.repositories.\"**\".anonymousPolicy"] == "expected a list of strings, got a string")
    }

    @Test("An upper-case repository pattern earns a notice, since repository names are lower-case")
    func upperCasePatternNotice() throws {
        let config = try ConfigLoader.parse(minimalYAML("http:\n  accessControl:\n    repositories:\n      Team/**:\n        defaultPolicy: [read]\n"), format: .yaml)
        #expect(config.notices.map(\.path) == ["http.accessControl.repositories.\"Team/**\""])
    }
}
