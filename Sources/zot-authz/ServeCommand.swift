import ArgumentParser
import RegistryConfig
import RegistryApp

/// `zot-authz serve [CONFIG]`: run the registry.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the registry with a Zot config file (JSON or YAML); without one, the embedded development default.")

    @Argument(help: "Path to the Zot config file.")
    var config: String?

    func run() async throws {
        let loaded: ZotConfig
        do {
            loaded = try config.map { try ConfigLoader.load(path: $0) } ?? ConfigLoader.parse(ConfigDefaults.yaml, format: .yaml)
        } catch let error as ConfigError {
            printError("\(config ?? "embedded default config"): invalid configuration")
            for problem in error.problems { printError("  \(problem)") }
            throw ExitCode(2)
        }
        do {
            try await RegistryService.run(config: loaded, configPath: config, build: BuildInfo.server)
        } catch let error as RegistryService.StartupError {
            printError("zot-authz: \(error)")
            throw ExitCode(2)
        }
    }
}
