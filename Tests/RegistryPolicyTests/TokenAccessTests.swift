import Testing
import RegistryCore
import RegistryPolicy

@Suite("Registry token access is mapped exactly and intersected with accessControl")
struct TokenAccessTests {
    let policy: AccessPolicy = {
        let control = AccessControl(repositories: [
            RepositoryRules(pattern: "team/**", policies: [PolicyEntry(users: ["alice"], actions: [.read, .create, .update, .delete])],
                            anonymousPolicy: [.read]),
            RepositoryRules(pattern: "secret/**", policies: [PolicyEntry(users: ["bob"], actions: [.read])]),
        ])
        return try! AccessPolicy(accessControl: control, authentication: AuthenticationSettings(methods: ["htpasswd", "bearer"]))
    }()

    func requirement(_ repository: String, _ action: RegistryAction) -> AccessRequirement {
        AccessRequirement(RepositoryName(repository)!, action)
    }

    func token(_ user: String?, _ access: [DockerAccess]) -> Identity {
        let scopes = DockerAccess.scopes(access)
        guard let user else { return .anonymous(method: .registryToken, scopes: scopes) }
        return Identity(username: user, method: .registryToken, scopes: scopes)
    }

    @Test("pull maps to read, push to create and update, delete to delete, star to every action, anything else to nothing")
    func actionMapping() {
        #expect(DockerAccess(type: "repository", name: "a", actions: ["pull"]).registryActions == [.read])
        #expect(DockerAccess(type: "repository", name: "a", actions: ["push"]).registryActions == [.create, .update])
        #expect(DockerAccess(type: "repository", name: "a", actions: ["delete"]).registryActions == [.delete])
        #expect(DockerAccess(type: "repository", name: "a", actions: ["*"]).registryActions == Set(RegistryAction.allCases))
        #expect(DockerAccess(type: "repository", name: "a", actions: ["admin", "PULL"]).registryActions.isEmpty)
    }

    @Test("Scope strings parse as type, name and actions, the name keeping inner colons")
    func scopeParsing() {
        #expect(DockerAccess(scope: "repository:team/app:pull,push") == DockerAccess(type: "repository", name: "team/app", actions: ["pull", "push"]))
        #expect(DockerAccess(scope: "repository:host:5000/app:pull")?.name == "host:5000/app")
        #expect(DockerAccess(scope: "registry:catalog:*")?.type == "registry")
        #expect(DockerAccess(scope: "nonsense") == nil)
        #expect(DockerAccess(scope: "repository::pull") == nil)
    }

    @Test("Only repository entries with valid names become scopes, and a repeated name is merged")
    func scopesFromAccess() {
        let scopes = DockerAccess.scopes([
            DockerAccess(type: "repository", name: "team/app", actions: ["pull"]),
            DockerAccess(type: "registry", name: "catalog", actions: ["*"]),
            DockerAccess(type: "repository", name: "Bad..Name", actions: ["pull"]),
            DockerAccess(type: "repository", name: "team/app", actions: ["delete"]),
            DockerAccess(type: "repository", name: "team/none", actions: ["bogus"]),
        ])
        #expect(scopes == [AccessScope(repositories: "team/app", actions: [.read, .delete])])
    }

    @Test("A push token cannot delete even where the policy allows the user to")
    func pushTokenCannotDelete() {
        let alice = token("alice", [DockerAccess(type: "repository", name: "team/app", actions: ["pull", "push"])])
        #expect(policy.decide(alice, requirement("team/app", .create)).allowed)
        #expect(policy.decide(alice, requirement("team/app", .update)).allowed)
        let delete = policy.decide(alice, requirement("team/app", .delete))
        #expect(!delete.allowed)
        #expect(delete.outsideCredentialScope)
        #expect(delete.rule.contains("token access"))
    }

    @Test("A token naming a repository the policy denies reaches nothing there")
    func tokenCannotWidenPolicy() {
        let alice = token("alice", [DockerAccess(type: "repository", name: "secret/x", actions: ["*"])])
        let verdict = policy.decide(alice, requirement("secret/x", .read))
        #expect(!verdict.allowed)
        #expect(!verdict.outsideCredentialScope)
        let bob = token("bob", [DockerAccess(type: "repository", name: "secret/x", actions: ["pull", "push"])])
        #expect(policy.decide(bob, requirement("secret/x", .read)).allowed)
        #expect(!policy.decide(bob, requirement("secret/x", .create)).allowed)
    }

    @Test("A token covers only the repositories it names, exactly")
    func exactNames() {
        let alice = token("alice", [DockerAccess(type: "repository", name: "team/app", actions: ["*"])])
        #expect(!policy.decide(alice, requirement("team/app2", .read)).allowed)
        #expect(!policy.decide(alice, requirement("team/app/sub", .read)).allowed)
    }

    @Test("An anonymous token gets at most the anonymousPolicy")
    func anonymousToken() {
        let nobody = token(nil, [DockerAccess(type: "repository", name: "team/app", actions: ["pull", "push"])])
        #expect(nobody.isAnonymous && nobody.presentedCredential)
        #expect(policy.decide(nobody, requirement("team/app", .read)).allowed)
        #expect(!policy.decide(nobody, requirement("team/app", .create)).allowed)
    }

    @Test("Granted access is the requested access trimmed to what policy allows, entries left empty dropped")
    func grantedAccess() {
        let alice = Identity(username: "alice", method: .htpasswd)
        let granted = policy.grantedAccess(alice, requested: [
            DockerAccess(type: "repository", name: "team/app", actions: ["pull", "push"]),
            DockerAccess(type: "repository", name: "secret/x", actions: ["pull"]),
            DockerAccess(type: "repository", name: "team/app", actions: ["delete"]),
        ])
        #expect(granted == [DockerAccess(type: "repository", name: "team/app", actions: ["pull", "push", "delete"])])
        let bob = Identity(username: "bob", method: .htpasswd)
        #expect(policy.grantedAccess(bob, requested: [DockerAccess(type: "repository", name: "secret/x", actions: ["*"])])
            == [DockerAccess(type: "repository", name: "secret/x", actions: ["pull"])])
        #expect(policy.grantedAccess(.anonymous, requested: [DockerAccess(type: "repository", name: "team/app", actions: ["pull", "push"])])
            == [DockerAccess(type: "repository", name: "team/app", actions: ["pull"])])
        #expect(policy.grantedAccess(.anonymous, requested: [DockerAccess(type: "repository", name: "secret/x", actions: ["pull"])]).isEmpty)
    }
}
