import Testing
import RegistryCore
import RegistryPolicy
@testable import RegistryHTTP

@Suite("API key scopes narrow the owner's rights")
struct ScopeLimitedDeciderTests {
    let decider: ScopeLimitedDecider = {
        let control = AccessControl(repositories: [
            RepositoryRules(pattern: "team/**", policies: [PolicyEntry(users: ["alice"], actions: [.read, .create, .update])]),
            RepositoryRules(pattern: "secret/**", policies: [PolicyEntry(users: ["bob"], actions: [.read])]),
        ])
        return ScopeLimitedDecider(PolicyAccessDecider(engine: try! PolicyEngine(control)))
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
}
