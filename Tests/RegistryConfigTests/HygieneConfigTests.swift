import Foundation
import Testing
@testable import RegistryConfig
import RegistryRetention

/// `storage.retention`, `storage.gcTimeWindow`, `extensions.scrub` and `extensions.lint`.
struct HygieneConfigTests {
    static let nixosStyle = """
    storage:
      rootDirectory: /tmp/zot
      gcDelay: 2h
      retention:
        dryRun: true
        policies:
          - repositories: ["**"]
            deleteReferrers: true
            deleteUntagged: true
            keepTags:
              - patterns: ["latest"]
              - pushedWithin: 168h
                mostRecentlyPushedCount: 10
              - patterns: ["v.*"]
                pulledWithin: 720h
      subPaths:
        /a:
          rootDirectory: /tmp/zot-a
          retention:
            delay: 30m
            policies:
              - repositories: ["a/**"]
                deleteUntagged: false
                keepUntagged: {mostRecentlyPulledCount: 5}
    """

    @Test("A NixOS-style retention block maps exactly, delay defaulting to gcDelay and deleteUntagged to true")
    func nixosStyleBlock() throws {
        let config = try ConfigLoader.parse(Self.nixosStyle, format: .yaml)
        let retention = config.storage.retention
        #expect(retention.dryRun)
        #expect(retention.delay == 7200)
        let policy = try #require(retention.policies.first)
        #expect(policy.repositories.map(\.pattern) == ["**"])
        #expect(policy.deleteReferrers && policy.deleteUntagged)
        #expect(policy.keepTags.count == 3)
        #expect(policy.keepTags[0].patterns.map(\.source) == ["latest"] && policy.keepTags[0].criteria.isEmpty)
        #expect(policy.keepTags[1].patterns.isEmpty)
        #expect(policy.keepTags[1].criteria == KeepCriteria(pushedWithin: 168 * 3600, mostRecentlyPushedCount: 10))
        #expect(policy.keepTags[2].criteria == KeepCriteria(pulledWithin: 720 * 3600))
        let sub = try #require(config.storage.subPaths["/a"]?.retention)
        #expect(sub.delay == 1800 && !sub.dryRun)
        #expect(sub.policies.first?.deleteUntagged == false)
        #expect(sub.policies.first?.keepUntagged == KeepCriteria(mostRecentlyPulledCount: 5))
    }

    @Test("Unknown retention keys, bad regexes, globs, durations and counts are errors naming their key")
    func retentionErrors() {
        let messages = messagesByPath(minimalYAML("""
          retention:
            dryrun: true
            delay: soon
            extra: 1
            policies:
              - repositories: ["a/{b"]
                keepTags:
                  - patterns: ["v(1"]
                    pushedWithin: 7d
                    mostRecentlyPushedCount: -1
                    keepLatest: true
              - deleteUntagged: true
        """))
        #expect(messages["storage.retention.delay"]?.contains("not a duration") == true, "\(messages)")
        #expect(messages["storage.retention.extra"]?.hasPrefix("unknown key") == true)
        #expect(messages["storage.retention.policies[0].repositories[0]"]?.contains("not a repository glob") == true, "\(messages)")
        #expect(messages["storage.retention.policies[0].keepTags[0].patterns[0]"]?.contains("not a regular expression") == true, "\(messages)")
        #expect(messages["storage.retention.policies[0].keepTags[0].pushedWithin"]?.contains("not a duration") == true)
        #expect(messages["storage.retention.policies[0].keepTags[0].mostRecentlyPushedCount"]?.contains("not a count") == true, "\(messages)")
        #expect(messages["storage.retention.policies[0].keepTags[0].keepLatest"]?.hasPrefix("unknown key") == true)
        #expect(messages["storage.retention.policies[1].repositories"]?.contains("is required") == true, "\(messages)")
    }

    @Test("gcTimeWindow takes Zot's HH:MM-HH:MM and refuses anything else")
    func gcTimeWindow() throws {
        let config = try ConfigLoader.parse(minimalYAML("  gcTimeWindow: \"22:00-06:00\"\n"), format: .yaml)
        let window = try #require(config.storage.gcTimeWindow)
        #expect(window.description == "22:00-06:00")
        #expect(window.contains(Date(timeIntervalSince1970: 23 * 3600)))
        #expect(!window.contains(Date(timeIntervalSince1970: 12 * 3600)))
        #expect(messagesByPath(minimalYAML("  gcTimeWindow: \"01:00-01:00\"\n"))["storage.gcTimeWindow"]?.contains("cannot be equal") == true)
        #expect(messagesByPath(minimalYAML("  gcTimeWindow: \"1am-8am\"\n"))["storage.gcTimeWindow"]?.contains("not a time window") == true)
    }

    @Test("scrub defaults to enabled every 24h; a shorter interval than 2h is raised to 2h with a notice")
    func scrub() throws {
        let defaults = try ConfigLoader.parse(minimalYAML("extensions:\n  scrub:\n"), format: .yaml)
        #expect(defaults.extensions.scrub == ScrubExtensionConfig())
        let short = try ConfigLoader.parse(minimalYAML("extensions:\n  scrub:\n    enable: true\n    interval: 30m\n"), format: .yaml)
        #expect(short.extensions.scrub?.intervalSeconds == 7200)
        #expect(short.notices.contains { $0.path == "extensions.scrub.interval" && $0.message.contains("minimum") })
        #expect(short.extensions.acceptedSections.isEmpty)
        #expect(messagesByPath(minimalYAML("extensions:\n  scrub:\n    intervall: 3h\n"))["extensions.scrub.intervall"]?.contains("did you mean \"interval\"") == true)
    }

    @Test("lint reads enable and mandatoryAnnotations; unknown keys and empty names are errors")
    func lint() throws {
        let config = try ConfigLoader.parse(minimalYAML("extensions:\n  lint:\n    enable: true\n    mandatoryAnnotations: [org.opencontainers.image.vendor, maintainer]\n"), format: .yaml)
        #expect(config.extensions.lint == LintExtensionConfig(mandatoryAnnotations: ["org.opencontainers.image.vendor", "maintainer"]))
        let messages = messagesByPath(minimalYAML("extensions:\n  lint:\n    mandatoryAnnotations: [\"\"]\n    strict: true\n"))
        #expect(messages["extensions.lint.mandatoryAnnotations[0]"] == "must not be empty")
        #expect(messages["extensions.lint.strict"]?.hasPrefix("unknown key") == true)
    }
}
