import Testing
import RegistryCore
import RegistryPolicy

@Suite("API key scopes narrow the owner's rights")
struct AccessPolicyScopeTests {
    let decider: AccessPolicy = {
        let control = AccessControl(repositories: [
            RepositoryRules(pattern: "team/**", policies: [PolicyEntry(users: ["alice"], actions: [.read, .create, .update])]),
            RepositoryRules(pattern: "secret/**", policies: [PolicyEntry(users: ["bob"], actions: [.read])]),
        ])
        return try! AccessPolicy(accessControl: control, authentication: AuthenticationSettings(methods: ["htpasswd", "apikey"]))
    }()

    func requirement(_ repository: String, _ action: RegistryAction) -> AccessRequirement {
        AccessRequirement(RepositoryName(repository)!, action)
    }

    @Test("Without scopes the owner's policy decides alone")
    func unscoped() {
        let alice = Identity(username: "alice", method: .apiKey)
        #expect(decider.decide(alice, requirement("team/app", .create)).allowed)
        #expect(!decider.decide(alice, requirement("secret/x", .read)).allowed)
    }

    @Test("A read-only scope forbids a push the owner could make")
    func readOnlyScope() {
        let key = Identity(username: "alice", method: .apiKey, scopes: [AccessScope(repositories: "team/app", actions: [.read])])
        #expect(decider.decide(key, requirement("team/app", .read)).allowed)
        let push = decider.decide(key, requirement("team/app", .create))
        #expect(!push.allowed)
        #expect(push.rule.contains("do not cover create on team/app"))
        #expect(!decider.decide(key, requirement("team/other", .read)).allowed)
    }

    @Test("A scope never grants what the owner's policy does not")
    func scopeCannotWiden() {
        let key = Identity(username: "alice", method: .apiKey, scopes: [AccessScope(repositories: "**", actions: Set(RegistryAction.allCases))])
        #expect(!decider.decide(key, requirement("secret/x", .read)).allowed)
        #expect(!decider.decide(key, requirement("team/app", .delete)).allowed)
        let allowed = decider.decide(key, requirement("team/app", .update))
        #expect(allowed.allowed)
        #expect(allowed.rule.contains("within credential scope **"))
    }

    @Test("An empty scope list allows nothing")
    func emptyScopes() {
        let key = Identity(username: "alice", method: .apiKey, scopes: [])
        #expect(!decider.decide(key, requirement("team/app", .read)).allowed)
    }

    @Test("Without accessControl a scope still narrows an authenticated key, and anonymous stays refused")
    func scopesWithoutAccessControl() {
        let open = AccessPolicy(engine: nil, authentication: AuthenticationSettings(methods: ["htpasswd", "apikey"]))
        let key = Identity(username: "alice", method: .apiKey, scopes: [AccessScope(repositories: "team/**", actions: [.read])])
        #expect(open.decide(key, requirement("team/app", .read)).allowed)
        #expect(!open.decide(key, requirement("team/app", .create)).allowed)
        #expect(!open.decide(.anonymous, requirement("team/app", .read)).allowed)
    }

    @Test("A failDelay-only http.auth configures no authentication: the registry is open to anonymous users")
    func noMethodsMeansOpen() {
        let open = AccessPolicy(engine: nil, authentication: .none)
        #expect(!open.challengesAnonymousBase)
        #expect(open.decide(.anonymous, requirement("any/repo", .delete)).allowed)
        #expect(open.decideMetrics(.anonymous).allowed)
    }
}
