import ArgumentParser
import RegistryApp
import RegistryConfig

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `zot-authz verify CONFIG`: validates a Zot config file and prints every problem found.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Validate a Zot config file (JSON or YAML) and report every problem.",
        discussion: """
        Prints 'CONFIG: valid', a short summary and a warning for every setting that is accepted but not acted on \
        (serve logs the same warnings), exit status 0; or one 'path: message' line per problem on standard error, \
        exit status 1. Besides the config itself it checks what serve would refuse at startup: TLS files, the \
        htpasswd file, the session keys file, the storage root, the metrics path.
        """
    )

    @Argument(help: "Path to the Zot config file.")
    var config: String

    func run() async throws {
        do {
            let loaded = try ConfigLoader.load(path: config)
            let startupProblems = RegistryService.preflight(loaded) + (await RegistryService.storageReachabilityProblems(loaded.storage))
            guard startupProblems.isEmpty else {
                var standardError = StandardError()
                print("\(config): invalid (\(startupProblems.count) problem\(startupProblems.count == 1 ? "" : "s") serve would refuse at startup)",
                      to: &standardError)
                for problem in startupProblems { print(problem, to: &standardError) }
                throw ExitCode.failure
            }
            print("\(config): valid")
            for line in loaded.summaryLines {
                print("  \(line)")
            }
            if let policy = try? RegistryService.accessPolicy(loaded) {
                for line in StartupReport(config: loaded, policy: policy).lines where line.isWarning {
                    print("  warning: \(line.message)")
                }
            }
        } catch let error as ConfigError {
            var standardError = StandardError()
            print("\(config): invalid (\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"))", to: &standardError)
            for problem in error.problems {
                print(problem.description, to: &standardError)
            }
            throw ExitCode.failure
        }
    }
}

/// Standard error as a `TextOutputStream`.
private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        printError(string, terminator: "")
    }
}
