import Foundation
import RegistryConfig
import Testing

/// The example journey configs under policies/ must run as documented.
@Suite("Journey examples")
struct JourneyExampleTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var journeyConfigs: [URL] {
        let policies = repositoryRoot.appendingPathComponent("policies")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: policies.path)) ?? []
        return names.filter { $0.hasPrefix("journey") && $0.hasSuffix(".json") && !$0.hasSuffix(".expectations.json") }
            .sorted().map { policies.appendingPathComponent($0) }
    }

    @Test("every journey config records an audit trail (log.audit)")
    func everyJourneyAudits() throws {
        #expect(Self.journeyConfigs.count == 5)
        for url in Self.journeyConfigs {
            let config = try ConfigLoader.load(path: url.path, checkingFiles: false)
            #expect(config.log.audit?.isEmpty == false, "\(url.lastPathComponent) has no log.audit")
        }
    }

    @Test("journeys.htpasswd holds the documented passwords (<user>-secret, from make-journeys-htpasswd.sh)")
    func documentedPasswords() throws {
        let file = Self.repositoryRoot.appendingPathComponent("policies/journeys.htpasswd").path
        let users = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { $0.split(separator: ":").first }
        #expect(users.count == 8)
        for user in users {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/htpasswd")
            process.arguments = ["-vb", file, String(user), "\(user)-secret"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "the password of \(user) is not \(user)-secret")
        }
    }
}
