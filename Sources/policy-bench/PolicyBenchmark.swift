import Foundation
import RegistryCore
import RegistryPolicy

/// Micro-benchmark of the policy engine: decisions per second with many patterns.
///
/// Usage: `policy-bench [PATTERNS] [DECISIONS]` (defaults 1000 and 2,000,000). Prints one line of
/// `key=value` figures; run it from a release build. Not a test: nothing is asserted.
@main
enum PolicyBenchmark {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let patternCount = max(1, arguments.first ?? 1000)
        let decisions = max(1, arguments.dropFirst().first ?? 2_000_000)

        var repositories: [RepositoryRules] = []
        for team in 0..<patternCount {
            let pattern: String
            switch team % 4 {
            case 0: pattern = "team-\(team)/**"
            case 1: pattern = "team-\(team)/app-*"
            case 2: pattern = "team-\(team)/{api,web}/**"
            default: pattern = "team-\(team)/service-?/*"
            }
            repositories.append(RepositoryRules(
                pattern: pattern,
                policies: [PolicyEntry(users: ["user-\(team)"], groups: ["group-\(team)"], actions: [.read, .create])],
                defaultPolicy: [.read]))
        }
        repositories.append(RepositoryRules(pattern: "**", anonymousPolicy: [.read]))
        let engine = try PolicyEngine(AccessControl(repositories: repositories,
                                                    adminPolicy: PolicyEntry(users: ["root"], actions: RegistryAction.allCases)))

        let probes: [(Identity, String, RegistryAction)] = (0..<1024).map { i in
            let team = (i * 7919) % patternCount
            let identity = i % 5 == 0 ? Identity.anonymous : Identity(username: "user-\((i * 31) % patternCount)", groups: ["group-\(team)"], method: .htpasswd)
            let repository: String
            switch i % 4 {
            case 0: repository = "team-\(team)/deep/nested/repo"
            case 1: repository = "team-\(team)/app-frontend"
            case 2: repository = "team-\(team)/api/v2"
            default: repository = "unrelated/library/\(i)"
            }
            return (identity, repository, i % 3 == 0 ? .create : .read)
        }

        var allowed = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for n in 0..<decisions {
                let probe = probes[n & 1023]
                if engine.decide(identity: probe.0, repository: probe.1, action: probe.2).allowed { allowed += 1 }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let nanoseconds = seconds * 1e9 / Double(decisions)
        print(String(format: "patterns=%d decisions=%d seconds=%.3f ns_per_decision=%.1f decisions_per_second=%.0f allowed=%d",
                     patternCount + 1, decisions, seconds, nanoseconds, Double(decisions) / seconds, allowed))
    }
}
