import ArgumentParser
import Foundation
import RegistryApp
import RegistryConfig
import RegistryPolicy
import RegistryStorage

/// `zot-authz scrub CONFIG [--repo GLOB] [--json]`: one integrity pass, as Zot's `scrub` command.
struct ScrubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrub",
        abstract: "Check every blob's content against its digest and every manifest's references; report, never repair.",
        discussion: """
        Runs one read-only pass over the config's storage (filesystem or S3; meant for a stopped registry, as Zot's \
        scrub). Prints one line per problem, "REPOSITORY DIGEST corrupt|missing|unreadable (MESSAGE) images: TAG,…", \
        then a summary; --json prints {"stores": [{"store", "repositories", "blobs", "bytes", "manifests", \
        "problems": [{"repository", "digest", "kind", "images", "message"}]}]}.

        Exit status: 0 when nothing is wrong; 1 when a problem was found; 2 when the config or --repo is invalid, \
        the storage cannot be read, or a server answers on the config's address and port (stop it first).
        """
    )

    @Argument(help: "Path to the Zot config file (JSON or YAML).")
    var config: String

    @Option(name: .customLong("repo"), help: "Only repositories matching this glob (doublestar, as in accessControl).")
    var repository: String?

    @Flag(help: "Print the results as JSON.")
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
        guard !RunningServerCheck.answers(loaded) else {
            printError("scrub: a server answers on \(loaded.http.address):\(loaded.http.port); stop it first (as Zot's scrub requires)")
            throw ExitCode(2)
        }
        let stores: [(store: String, report: Scrubber.Report)]
        do {
            stores = try await HygieneCommands.scrub(loaded, repositories: glob)
        } catch {
            printError("scrub: \(error)")
            throw ExitCode(2)
        }
        let problems = stores.flatMap(\.report.problems)
        if json {
            print(Self.json(stores))
        } else {
            for problem in problems {
                print("\(problem.repository) \(problem.digest) \(problem.kind.rawValue) (\(problem.message)) images: "
                      + (problem.images.isEmpty ? "none" : problem.images.joined(separator: ",")))
            }
            for (store, report) in stores {
                print("# \(store): \(report.repositories) repositories, \(report.manifestsChecked) manifests, "
                      + "\(report.blobsChecked) blobs (\(report.bytesChecked) bytes) checked, \(report.problems.count) problems")
            }
        }
        if !problems.isEmpty { throw ExitCode.failure }
    }

    static func json(_ stores: [(store: String, report: Scrubber.Report)]) -> String {
        let document: [String: Any] = ["stores": stores.map { store, report in
            [
                "store": store, "repositories": report.repositories, "blobs": report.blobsChecked, "bytes": report.bytesChecked,
                "manifests": report.manifestsChecked,
                "problems": report.problems.map { problem in
                    ["repository": problem.repository, "digest": problem.digest, "kind": problem.kind.rawValue,
                     "images": problem.images, "message": problem.message] as [String: Any]
                },
            ] as [String: Any]
        }]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
