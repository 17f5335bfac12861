import ArgumentParser
import Foundation
import RegistryConfig
import RegistryCore
import RegistryPolicy

/// `zot-authz test CONFIG …`: dry-run of `http.accessControl` for one request, or for a fixture of expectations.
struct PolicyTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry-run a config's accessControl: explain one decision, or check a fixture of expected decisions.",
        discussion: """
        zot-authz test CONFIG --user U [--group G …] --repo R --action read|create|update|delete [--json]
        zot-authz test CONFIG --anonymous --repo R --action read [--json]
        zot-authz test CONFIG --fixture FILE

        A fixture is JSON: {"cases": [{"user": "alice", "groups": ["dev"], "repository": "team-a/app", \
        "action": "read", "expect": "allow"}, {"anonymous": true, …, "expect": "deny"}, …]}; a case may add \
        "breakGlass": true|false and "name".

        Exit status: 0 when a decision was printed (allow or deny) or every fixture case matched; 1 when a \
        fixture case did not match; 2 when the config, a glob or the fixture is invalid.
        """
    )

    @Argument(help: "Path to the Zot config file (JSON or YAML).")
    var config: String

    @Option(help: "User name to test as.")
    var user: String?

    @Option(name: .customLong("group"), help: "A group the user belongs to (repeatable), as LDAP or OIDC would report it.")
    var groups: [String] = []

    @Flag(help: "Test as an anonymous request (no credentials).")
    var anonymous = false

    @Option(name: .customLong("repo"), help: "Repository name, e.g. team-a/app.")
    var repository: String?

    @Option(help: "Action: read, create, update, delete, or push (create or update, decided by --tag/--tag-exists).")
    var action: String?

    @Option(help: "With --action push: the tag being pushed.")
    var tag: String?

    @Flag(help: "With --action push: the tag already exists, so the push is an update (as the server decides).")
    var tagExists = false

    @Flag(help: "Print the explanation as JSON.")
    var json = false

    @Option(help: "Fixture file of expected decisions (JSON); replaces --user/--repo/--action.")
    var fixture: String?

    @Option(help: "Audit file (log.audit JSON lines) to replay against CONFIG's policy; lists decisions that would change.")
    var replay: String?

    func validate() throws {
        if replay != nil {
            guard fixture == nil, user == nil, groups.isEmpty, !anonymous, repository == nil, action == nil, tag == nil else {
                throw ValidationError("--replay can only be combined with --json")
            }
            return
        }
        if fixture != nil {
            guard user == nil, groups.isEmpty, !anonymous, repository == nil, action == nil, !json else {
                throw ValidationError("--fixture cannot be combined with --user, --group, --anonymous, --repo, --action or --json")
            }
            return
        }
        switch (user, anonymous) {
        case (nil, false): throw ValidationError("give --user NAME or --anonymous (or --fixture FILE)")
        case (.some, true): throw ValidationError("give either --user or --anonymous, not both")
        case (let name?, false) where name.isEmpty: throw ValidationError("--user must not be empty")
        default: break
        }
        if anonymous, !groups.isEmpty { throw ValidationError("--group cannot be used with --anonymous") }
        guard let repository, !repository.isEmpty else { throw ValidationError("missing --repo REPOSITORY") }
        guard let action else { throw ValidationError("missing --action (read, create, update, delete or push)") }
        if action == "push" {
            guard let tag, Reference.isValidTag(tag) else { throw ValidationError("--action push needs --tag TAG (a valid tag)") }
            return
        }
        guard RegistryAction(rawValue: action) != nil else {
            throw ValidationError("unknown action \"\(action)\"; expected read, create, update, delete or push")
        }
        if tag != nil || tagExists { throw ValidationError("--tag and --tag-exists go with --action push") }
    }

    func run() async throws {
        let loaded: ZotConfig
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            printError("\(config): invalid (\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"))")
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(2)
        }
        guard let accessControl = loaded.http.accessControl else {
            try reportMissingAccessControl(authConfigured: loaded.http.auth != nil)
            return
        }
        let engine: PolicyEngine
        do {
            engine = try PolicyEngine(accessControl)
        } catch {
            printError("\(config): \(error)")
            throw ExitCode(2)
        }
        if let replay {
            try runReplay(replay, engine: engine)
        } else if let fixture {
            try runFixture(fixture, engine: engine)
        } else {
            try explain(engine: engine)
        }
    }

    /// The identity, repository and action given on the command line (checked by `validate`).
    private var question: (Identity, String, RegistryAction) {
        get throws {
            let resolved = action == "push" ? (tagExists ? RegistryAction.update : .create) : action.flatMap(RegistryAction.init(rawValue:))
            guard let repository, let action = resolved else {
                throw ValidationError("missing --repo or --action")
            }
            let identity = user.map { Identity(username: $0, groups: groups, method: .htpasswd) } ?? .anonymous
            return (identity, repository, action)
        }
    }

    private func explain(engine: PolicyEngine) throws {
        let (identity, repository, action) = try question
        if let tag, !json {
            print("push of tag \"\(tag)\" is a\(tagExists ? "n update (the tag exists)" : " create (the tag is new)")")
        }
        let dryRun = PolicyDryRun(engine: engine, identity: identity, repository: repository, action: action)
        if json {
            do {
                print(try dryRun.json())
            } catch {
                printError("cannot encode the explanation as JSON: \(error)")
                throw ExitCode(2)
            }
        } else {
            print(dryRun.text)
        }
    }

    private func runReplay(_ path: String, engine: PolicyEngine) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            printError("\(path): cannot read the audit file: \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let report = AuditReplay(engine: engine).replay(text)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }

    private func runFixture(_ path: String, engine: PolicyEngine) throws {
        let loadedFixture: PolicyFixture
        do {
            loadedFixture = try PolicyFixture.load(path: path)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let report = loadedFixture.run(against: engine)
        print(report.text)
        if report.failureCount > 0 { throw ExitCode.failure }
    }

    /// Without `accessControl`, Zot lets every authenticated user do everything, and anonymous requests too
    /// when no `http.auth` is configured.
    private func reportMissingAccessControl(authConfigured: Bool) throws {
        let summary = authConfigured
            ? "no http.accessControl is configured: every authenticated user may do everything; anonymous requests are refused"
            : "no http.accessControl and no http.auth are configured: everyone, including anonymous requests, may do everything"
        if fixture != nil {
            printError("\(config): \(summary); add http.accessControl to check a fixture")
            throw ExitCode(2)
        }
        let (identity, repository, action) = try question
        let allowed = !identity.isAnonymous || !authConfigured
        if json {
            let report: [String: String] = ["accessControl": "none", "decision": allowed ? "allow" : "deny", "summary": summary]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(allowed ? "ALLOW" : "DENY")
            print("  request:  \(action.rawValue) on \"\(repository)\" by \(identity.username.map { "user \"\($0)\"" } ?? "anonymous")")
            print("  reason:   \(summary)")
        }
    }
}
