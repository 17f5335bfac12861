import ArgumentParser
import Foundation
import RegistryApp
import RegistryConfig
import RegistryPolicy
import RegistryRetention

/// `zot-authz retention CONFIG [--repo GLOB] [--json]`: the retention dry run as a command.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Dry-run storage.retention: for every tag and untagged manifest, kept or deleted and the rule that decided.",
        discussion: """
        Reads the same storage and push/pull statistics the server uses (run it on a stopped registry, or accept \
        that statistics of the last few seconds may still be in the server's buffer) and decides exactly as the next \
        GC pass would. Nothing is deleted, whatever retention.dryRun says.

        Text output: one line per decision, "REPOSITORY TAG|@DIGEST kept|deleted RULE (REASON) pushed=TIME by=USER \
        pulled=TIME|never". --json prints {"stores": [{"store", "dryRun", "repositories": [{"repository", "policy", \
        "decisions": [{"tag", "digest", "decision", "rule", "reason", "pushedAt", "pushedBy", "pulledAt"}]}]}]}.

        Exit status: 0 when the decisions were printed; 2 when the config or --repo is invalid or the storage cannot \
        be read.
        """
    )

    @Argument(help: "Path to the Zot config file (JSON or YAML).")
    var config: String

    @Option(name: .customLong("repo"), help: "Only repositories matching this glob (doublestar, as in accessControl).")
    var repository: String?

    @Flag(help: "Print the decisions as JSON.")
    var json = false

    func run() async throws {
        let loaded: ZotConfig
        let glob: GlobPattern?
        do {
            loaded = try ConfigLoader.load(path: config)
            glob = try repository.map { pattern throws(GlobError) in try GlobPattern(pattern) }
        } catch let error as ConfigError {
            printError("\(config): invalid")
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(2)
        } catch {
            printError("--repo: \(error)")
            throw ExitCode(2)
        }
        if RunningServerCheck.answers(loaded) {
            printError("retention: warning: a server answers on \(loaded.http.address):\(loaded.http.port); "
                       + "pull and push times of its last few seconds may not be written yet")
        }
        let stores: [HygieneCommands.StoreRetention]
        do {
            stores = try await HygieneCommands.retention(loaded, repositories: glob)
        } catch {
            printError("retention: \(error)")
            throw ExitCode(2)
        }
        if json {
            print(Self.json(stores))
        } else {
            for line in Self.lines(stores) { print(line) }
        }
    }

    static func lines(_ stores: [HygieneCommands.StoreRetention]) -> [String] {
        var lines: [String] = []
        for store in stores {
            let deleted = store.outcomes.reduce(0) { $0 + $1.decisions.filter(\.deleted).count }
            let total = store.outcomes.reduce(0) { $0 + $1.decisions.count }
            lines.append("# \(store.store): \(store.outcomes.count) repositories, \(total) decisions, \(deleted) deleted"
                         + (store.configuredDryRun ? " (retention.dryRun is set: the server deletes nothing either)" : ""))
            for outcome in store.outcomes {
                for decision in outcome.decisions {
                    let item = decision.tag ?? "@\(decision.digest)"
                    var line = "\(outcome.repository) \(item) \(decision.deleted ? "deleted" : "kept") \(decision.rule) (\(decision.reason))"
                    if let activity = store.activity(of: decision, in: outcome.repository) {
                        line += " pushed=\(Self.time(activity.pushedAt) ?? "-")"
                        if let user = activity.pushedBy { line += " by=\(user)" }
                        line += " pulled=\(Self.time(activity.pulledAt) ?? "never")"
                    }
                    lines.append(line)
                }
            }
        }
        return lines
    }

    /// ISO 8601 UTC with seconds.
    static func time(_ date: Date?) -> String? {
        date?.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    static func json(_ stores: [HygieneCommands.StoreRetention]) -> String {
        let document: [String: Any] = ["stores": stores.map { store in
            [
                "store": store.store,
                "dryRun": store.configuredDryRun,
                "repositories": store.outcomes.map { outcome in
                    [
                        "repository": outcome.repository,
                        "policy": outcome.policy ?? NSNull(),
                        "decisions": outcome.decisions.map { decision in
                            let activity = store.activity(of: decision, in: outcome.repository)
                            return [
                                "tag": decision.tag ?? NSNull(),
                                "digest": decision.digest.description,
                                "decision": decision.deleted ? "delete" : "keep",
                                "rule": decision.rule,
                                "reason": decision.reason,
                                "pushedAt": Self.time(activity?.pushedAt) ?? NSNull(),
                                "pushedBy": activity?.pushedBy ?? NSNull(),
                                "pulledAt": Self.time(activity?.pulledAt) ?? NSNull(),
                            ] as [String: Any]
                        },
                    ] as [String: Any]
                },
            ] as [String: Any]
        }]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
