import ArgumentParser
import Foundation
import RegistryConfig
import RegistryCore
import RegistryApp
import RegistryPolicy

/// `zot-authz test CONFIG …`: dry-run of `http.accessControl` for one request, or for a fixture of expectations.
struct PolicyTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry-run a config's accessControl: explain one decision, or check a fixture of expected decisions.",
        discussion: """
        zot-authz test CONFIG --user U [--group G …] --repo R --action read|create|update|delete [--json]
        zot-authz test CONFIG --anonymous --repo R --action read [--json]
        zot-authz test CONFIG --cert alice.crt --repo R --action read
        zot-authz test CONFIG --oidc-claims '{"sub": "…", "groups": […]}' [--oidc-source login|bearer] --repo R --action read
        zot-authz test CONFIG --user U --scope 'team/**:read,create' --repo R --action create
        zot-authz test CONFIG --token JWT|@FILE --repo R --action delete
        zot-authz test CONFIG --fixture FILE

        A fixture is JSON: {"cases": [{"user": "alice", "groups": ["dev"], "repository": "team-a/app", \
        "action": "read", "expect": "allow"}, {"anonymous": true, …, "expect": "deny"}, …]}; a case may add \
        "breakGlass": true|false and "name".

        --cert derives the user name with http.auth.mtls as the server does (an expired certificate is reported \
        as a warning; the decision shown is still the policy's). --oidc-claims (inline JSON or @FILE) derives user \
        and groups with the login provider's claimMapping (method oidc-session) or, with --oidc-source bearer, \
        the http.auth.bearer.oidc issuer matching "iss" (method bearer). --scope tests an API key of --user \
        limited to those scopes: policy and scope must both allow. --token explains a Docker registry token \
        (http.auth.bearer.cert or tokenService): the policy for its sub intersected with its access claim; it is \
        verified with the config's key when there is one.

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

    @Option(name: .customLong("cert"), help: "A PEM client certificate; the user name is derived with http.auth.mtls (method mtls).")
    var certificate: String?

    @Option(help: "ID-token/JWT claims as a JSON object, inline or @FILE; user and groups via the config's claimMapping.")
    var oidcClaims: String?

    @Option(help: "With --oidc-claims: login (openid provider mapping, method oidc-session) or bearer (http.auth.bearer.oidc, method bearer).")
    var oidcSource: String?

    @Option(name: .customLong("scope"), help: "Test as an API key of --user limited to GLOB:action,action (repeatable).")
    var scopes: [String] = []

    @Option(help: "A Docker registry token (JWT, inline or @FILE): policy for its sub ∩ its access claim.")
    var token: String?

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
        let identityGiven = user != nil || !groups.isEmpty || anonymous || certificate != nil || oidcClaims != nil
            || oidcSource != nil || !scopes.isEmpty || token != nil
        if replay != nil {
            guard fixture == nil, !identityGiven, repository == nil, action == nil, tag == nil else {
                throw ValidationError("--replay can only be combined with --json")
            }
            return
        }
        if fixture != nil {
            guard !identityGiven, repository == nil, action == nil, !json else {
                throw ValidationError("--fixture cannot be combined with identity options, --repo, --action or --json")
            }
            return
        }
        if user == nil, !anonymous, certificate == nil, oidcClaims == nil, token == nil {
            throw ValidationError("give --user NAME, --anonymous, --cert FILE, --oidc-claims JSON or --token JWT (or --fixture FILE)")
        }
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
            // The policy test reads no credential file, so those named by the config need not exist here.
            loaded = try ConfigLoader.load(path: config, checkingFiles: false)
        } catch {
            printError("\(config): invalid (\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"))")
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(2)
        }
        // The same AccessPolicy the server builds from this config, so the two cannot disagree.
        let policy: AccessPolicy
        do {
            policy = try RegistryService.accessPolicy(loaded)
        } catch {
            printError("\(config): \(error)")
            throw ExitCode(2)
        }
        if let replay {
            try runReplay(replay, policy: policy)
            return
        }
        guard let engine = policy.engine else {
            try reportMissingAccessControl(config: loaded, policy: policy)
            return
        }
        if let fixture {
            try runFixture(fixture, engine: engine)
        } else {
            try explain(engine: engine, policy: policy, config: loaded)
        }
    }

    /// The action of `--action`; for `push`, decided as the server decides a manifest PUT by tag (update when the
    /// tag exists, else create), with whether a create-only push must find the tag still new when it writes.
    private func resolvedAction(_ policy: AccessPolicy, identity: Identity) throws -> (RegistryAction, tagMustBeNew: Bool) {
        guard action == "push" else {
            guard let action = action.flatMap(RegistryAction.init(rawValue:)) else { throw ValidationError("missing --action") }
            return (action, false)
        }
        guard let repository, let name = RepositoryName(repository), let tag else {
            printError("--repo \"\(repository ?? "")\" is not a valid repository name, so a push cannot be decided")
            throw ExitCode(2)
        }
        let tagExists = tagExists
        let authorization = policy.authorize(identity, endpoint: .manifest(name, .tag(tag)), method: "PUT") { _, _ in tagExists }
        guard let first = authorization.checks.first else { throw ValidationError("a push needs a repository permission") }
        return (first.requirement.action, authorization.tagMustBeNew)
    }

    /// The identity (resolved as the server would, see `DryRunIdentity`), repository and action given on the
    /// command line; a bad identity option is reported and exits with status 2.
    private func question(_ config: ZotConfig, policy: AccessPolicy) throws -> (DryRunIdentity, String, RegistryAction) {
        guard let repository else { throw ValidationError("missing --repo") }
        let options = DryRunIdentityOptions(user: user, groups: groups, anonymous: anonymous, certificatePath: certificate,
                                            oidcClaims: oidcClaims, oidcSource: oidcSource, scopes: scopes, token: token)
        let identity: DryRunIdentity
        do {
            identity = try DryRunIdentity.resolve(options, config: config)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let (action, tagMustBeNew) = try resolvedAction(policy, identity: identity.identity)
        if let tag, !json {
            let kind = action == .update ? "an update (the tag exists)" : "a create (the tag is new)"
            print("push of tag \"\(tag)\" is \(kind)" + (tagMustBeNew ? "; without update rights the tag must still be new when written" : ""))
        }
        return (identity, repository, action)
    }

    private func explain(engine: PolicyEngine, policy: AccessPolicy, config: ZotConfig) throws {
        let (identity, repository, action) = try question(config, policy: policy)
        let report: DryRunIdentityReport
        do {
            report = try DryRunIdentityReport(engine: engine, access: policy, resolved: identity, repository: repository, action: action)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        if json {
            do {
                print(try report.json())
            } catch {
                printError("cannot encode the explanation as JSON: \(error)")
                throw ExitCode(2)
            }
        } else {
            print(report.text)
        }
    }

    private func runReplay(_ path: String, policy: AccessPolicy) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            printError("\(path): cannot read the audit file: \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let report = AuditReplay(policy: policy).replay(text)
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
    /// when no authentication method is configured; the decision is the server's ``AccessPolicy`` verdict.
    private func reportMissingAccessControl(config loaded: ZotConfig, policy: AccessPolicy) throws {
        let summary = policy.authentication.isConfigured
            ? "no http.accessControl is configured: every authenticated user may do everything; anonymous requests are refused"
            : "no http.accessControl and no authentication method are configured: everyone, including anonymous requests, may do everything"
        if fixture != nil {
            printError("\(config): \(summary); add http.accessControl to check a fixture")
            throw ExitCode(2)
        }
        let (resolved, repository, action) = try question(loaded, policy: policy)
        let identity = resolved.identity
        guard let name = RepositoryName(repository) else {
            printError("--repo \"\(repository)\" is not a valid repository name")
            throw ExitCode(2)
        }
        let verdict = policy.decide(identity, AccessRequirement(name, action))
        let reason = identity.scopes != nil ? verdict.rule : summary
        if json {
            var report: [String: String] = ["accessControl": "none", "decision": verdict.allowed ? "allow" : "deny", "summary": reason,
                                            "rule": verdict.rule, "identity": DryRunIdentityReport.identityLine(resolved)]
            if !resolved.warnings.isEmpty { report["warnings"] = resolved.warnings.joined(separator: "; ") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(verdict.allowed ? "ALLOW" : "DENY")
            for line in DryRunIdentityReport.identityLines(resolved) { print(line) }
            print("  request:  \(action.rawValue) on \"\(repository)\" by \(identity.username.map { "user \"\($0)\"" } ?? "anonymous")")
            print("  reason:   \(reason)")
        }
    }
}
