import ArgumentParser

/// `zot-authz`: an OCI registry with a security-focused authentication and policy gateway.
@main
struct ZotAuthz: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zot-authz",
        abstract: "An OCI registry with a security-focused auth and policy gateway (Zot-compatible config).",
        version: BuildInfo.line,
        subcommands: [ServeCommand.self, VerifyCommand.self, PolicyTestCommand.self, RetentionCommand.self, ScrubCommand.self]
    )
}
