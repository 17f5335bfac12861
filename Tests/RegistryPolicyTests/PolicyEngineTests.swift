import RegistryCore
import Testing
@testable import RegistryPolicy

@Suite("Policy engine")
struct PolicyEngineTests {
    static let alice = Identity(username: "alice", method: .htpasswd)
    static let bob = Identity(username: "bob", groups: ["devs"], method: .ldap)
    static let carol = Identity(username: "carol", method: .htpasswd)
    static let root = Identity(username: "root", method: .htpasswd)

    static let accessControl = AccessControl(
        repositories: [
            RepositoryRules(pattern: "**", defaultPolicy: [.read]),
            RepositoryRules(pattern: "team-a/**", policies: [
                PolicyEntry(users: ["alice"], actions: [.read, .create]),
                PolicyEntry(groups: ["devs"], actions: [.read, .create, .update]),
                PolicyEntry(groups: ["ops"], actions: [.delete]),
            ]),
            RepositoryRules(pattern: "team-a/private/**", policies: [PolicyEntry(users: ["carol"], actions: [.read])]),
            RepositoryRules(pattern: "public/**", defaultPolicy: [.read, .create], anonymousPolicy: [.read]),
        ],
        adminPolicy: PolicyEntry(users: ["root"], groups: ["admins"], actions: [.read, .create, .update, .delete]),
        groups: ["ops": ["carol"], "admins": ["dave"]]
    )

    struct Case: Sendable, CustomTestStringConvertible {
        let identity: Identity
        let repository: String
        let action: RegistryAction
        let expected: PolicyRule
        var testDescription: String { "\(identity) \(action.rawValue) \(repository) → \(expected)" }
    }

    static let cases: [Case] = [
        Case(identity: alice, repository: "team-a/app", action: .create,
             expected: .repositoryPolicy(pattern: "team-a/**", entryIndex: 0, matchedBy: .user("alice"))),
        Case(identity: alice, repository: "team-a/app", action: .update,
             expected: .defaultDeny(.notGranted(pattern: "team-a/**"))),
        Case(identity: bob, repository: "team-a/app", action: .update,
             expected: .repositoryPolicy(pattern: "team-a/**", entryIndex: 1, matchedBy: .group("devs"))),
        // carol is in "ops" only through accessControl.groups
        Case(identity: carol, repository: "team-a/app", action: .delete,
             expected: .repositoryPolicy(pattern: "team-a/**", entryIndex: 2, matchedBy: .group("ops"))),
        // "team-a/**" decides, and it has no defaultPolicy: the shorter "**" does not apply
        Case(identity: carol, repository: "team-a/app", action: .read, expected: .defaultDeny(.notGranted(pattern: "team-a/**"))),
        // the longest pattern decides even though a shorter one grants more
        Case(identity: alice, repository: "team-a/private/x", action: .read,
             expected: .defaultDeny(.notGranted(pattern: "team-a/private/**"))),
        Case(identity: carol, repository: "team-a/private/x", action: .read,
             expected: .repositoryPolicy(pattern: "team-a/private/**", entryIndex: 0, matchedBy: .user("carol"))),
        Case(identity: alice, repository: "other/thing", action: .read, expected: .defaultPolicy(pattern: "**")),
        Case(identity: alice, repository: "other/thing", action: .create, expected: .defaultDeny(.notGranted(pattern: "**"))),
        Case(identity: .anonymous, repository: "public/img", action: .read, expected: .anonymousPolicy(pattern: "public/**")),
        Case(identity: .anonymous, repository: "public/img", action: .create, expected: .defaultDeny(.notGranted(pattern: "public/**"))),
        Case(identity: alice, repository: "public/img", action: .create, expected: .defaultPolicy(pattern: "public/**")),
        // defaultPolicy is for authenticated users only
        Case(identity: .anonymous, repository: "other/thing", action: .read, expected: .defaultDeny(.notGranted(pattern: "**"))),
        Case(identity: root, repository: "team-a/private/x", action: .delete, expected: .adminPolicy(matchedBy: .user("root"))),
        Case(identity: Identity(username: "dave", method: .htpasswd), repository: "team-a/app", action: .delete,
             expected: .adminPolicy(matchedBy: .group("admins"))),
        Case(identity: Identity(username: "erin", groups: ["admins"], method: .oidcSession), repository: "x", action: .update,
             expected: .adminPolicy(matchedBy: .group("admins"))),
        // admin's grant is not break-glass when the repository rule already allows
        Case(identity: root, repository: "other/thing", action: .read, expected: .defaultPolicy(pattern: "**")),
    ]

    @Test("Decisions follow Zot's precedence", arguments: cases)
    func decisions(_ testCase: Case) throws {
        let engine = try PolicyEngine(Self.accessControl)
        let decision = engine.decide(identity: testCase.identity, repository: testCase.repository, action: testCase.action)
        #expect(decision.rule == testCase.expected)
        if case .defaultDeny = testCase.expected { #expect(!decision.allowed) } else { #expect(decision.allowed) }
        #expect(engine.explain(identity: testCase.identity, repository: testCase.repository, action: testCase.action).decision == decision)
    }

    @Test("Only adminPolicy grants are flagged break-glass")
    func breakGlass() throws {
        let engine = try PolicyEngine(Self.accessControl)
        let rescue = engine.decide(identity: Self.root, repository: "team-a/app", action: .delete)
        #expect(rescue.allowed && rescue.isBreakGlass)
        #expect(rescue.decidingPattern == "team-a/**")
        #expect(rescue.description.contains("break-glass"))
        let ordinary = engine.decide(identity: Self.alice, repository: "team-a/app", action: .read)
        #expect(ordinary.allowed && !ordinary.isBreakGlass)
    }

    @Test("Anonymous requests never match user, group or admin entries")
    func anonymousMatchesNoNames() throws {
        let engine = try PolicyEngine(AccessControl(
            repositories: [RepositoryRules(pattern: "**", policies: [PolicyEntry(users: [""], groups: [""], actions: [.read])])],
            adminPolicy: PolicyEntry(users: [""], actions: [.read])
        ))
        let decision = engine.decide(identity: .anonymous, repository: "x", action: .read)
        #expect(decision.rule == .defaultDeny(.notGranted(pattern: "**")))
        #expect(engine.groups(of: .anonymous).isEmpty)
    }

    @Test("Everything is denied when no pattern matches or nothing is configured")
    func denyByDefault() throws {
        let empty = try PolicyEngine(AccessControl())
        #expect(empty.decide(identity: Self.alice, repository: "x", action: .read).rule == .defaultDeny(.noMatchingPattern))
        let engine = try PolicyEngine(AccessControl(repositories: [RepositoryRules(pattern: "team-a/**", defaultPolicy: [.read])]))
        let decision = engine.decide(identity: Self.alice, repository: "team-b/x", action: .read)
        #expect(decision.rule == .defaultDeny(.noMatchingPattern))
        #expect(!engine.canRead(identity: Self.alice, repository: "team-b/x"))
        #expect(engine.canRead(identity: Self.alice, repository: "team-a"))
    }

    @Test("Equal-length ties go to fewer wildcards, then to config order")
    func tieBreaking() throws {
        // "team-*/app" and "team-a/ap?" are both 10 characters with one wildcard: config order decides.
        let sameSpecificity = try PolicyEngine(AccessControl(repositories: [
            RepositoryRules(pattern: "team-a/ap?", policies: [PolicyEntry(users: ["alice"], actions: [.read])]),
            RepositoryRules(pattern: "team-*/app", defaultPolicy: [.read, .delete]),
        ]))
        let first = sameSpecificity.decide(identity: Self.alice, repository: "team-a/app", action: .delete)
        #expect(first.rule == .defaultDeny(.notGranted(pattern: "team-a/ap?")))
        let explanation = sameSpecificity.explain(identity: Self.alice, repository: "team-a/app", action: .delete)
        #expect(explanation.matchingPatterns.map(\.status) == [.decides, .laterInConfig(than: "team-a/ap?")])

        // "a/bbb*x" and "a/b?b*x" are both 7 characters; the one with fewer wildcards wins despite config order.
        let fewerWildcards = try PolicyEngine(AccessControl(repositories: [
            RepositoryRules(pattern: "a/b?b*x", defaultPolicy: [.read]),
            RepositoryRules(pattern: "a/bbb*x", defaultPolicy: [.delete]),
            RepositoryRules(pattern: "a/**", defaultPolicy: [.create]),
        ]))
        let decision = fewerWildcards.decide(identity: Self.alice, repository: "a/bbbzx", action: .delete)
        #expect(decision.rule == .defaultPolicy(pattern: "a/bbb*x"))
        let statuses = fewerWildcards.explain(identity: Self.alice, repository: "a/bbbzx", action: .delete).matchingPatterns
        #expect(statuses.map(\.status) == [.decides, .moreWildcards(than: "a/bbb*x"), .shorter(than: "a/bbb*x")])
    }

    @Test("The first entry granting the action is reported, users before groups")
    func entryOrder() throws {
        let engine = try PolicyEngine(AccessControl(repositories: [
            RepositoryRules(pattern: "x", policies: [
                PolicyEntry(groups: ["devs"], actions: [.read]),
                PolicyEntry(users: ["bob"], actions: [.create]),
                PolicyEntry(users: ["bob"], actions: [.read]),
                PolicyEntry(groups: ["qa"], actions: [.delete]),
                PolicyEntry(groups: ["devs"], actions: [.delete]),
            ]),
        ], groups: ["qa": ["bob"]]))
        #expect(engine.decide(identity: Self.bob, repository: "x", action: .read).rule
            == .repositoryPolicy(pattern: "x", entryIndex: 2, matchedBy: .user("bob")))
        #expect(engine.decide(identity: Self.bob, repository: "x", action: .delete).rule
            == .repositoryPolicy(pattern: "x", entryIndex: 3, matchedBy: .group("qa")))
        #expect(engine.groups(of: Self.bob) == ["devs", "qa"])
    }

    @Test("An invalid pattern in the config is reported when the engine is built")
    func invalidPattern() {
        #expect(throws: GlobError.self) {
            _ = try PolicyEngine(AccessControl(repositories: [RepositoryRules(pattern: "team-[a/**")]))
        }
    }

    @Test("The prefix index finds the same pattern as testing every pattern")
    func indexAgreesWithScan() throws {
        var repositories: [RepositoryRules] = [RepositoryRules(pattern: "**"), RepositoryRules(pattern: "*/app")]
        for team in 0..<60 {
            repositories.append(RepositoryRules(pattern: "team-\(team)/**"))
            repositories.append(RepositoryRules(pattern: "team-\(team)/app-*"))
            repositories.append(RepositoryRules(pattern: "team-\(team)/app-\(team)"))
            repositories.append(RepositoryRules(pattern: "{team-\(team),shared}/lib"))
        }
        let engine = try PolicyEngine(AccessControl(repositories: repositories))
        let names = ["team-7/app-7", "team-7/app-x", "team-7/lib", "shared/lib", "team-70/app", "x/app", "team-1", "", "team-59/a/b"]
        for name in names {
            let scanned = engine.rules.first { $0.glob.matches(name) }?.rules.pattern
            #expect(engine.decidingPattern(for: name) == scanned, "\(name)")
        }
    }
}
