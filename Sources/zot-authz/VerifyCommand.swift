import ArgumentParser
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
        discussion: "Prints 'CONFIG: valid' and a short summary, exit status 0; or one 'path: message' line per problem on standard error, exit status 1."
    )

    @Argument(help: "Path to the Zot config file.")
    var config: String

    func run() async throws {
        do {
            let loaded = try ConfigLoader.load(path: config)
            print("\(config): valid")
            for line in loaded.summaryLines {
                print("  \(line)")
            }
            for notice in loaded.notices {
                print("  note: \(notice)")
            }
        } catch {
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
