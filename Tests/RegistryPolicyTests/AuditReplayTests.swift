import RegistryCore
import Foundation
import RegistryPolicy
import Testing

@Suite("Audit replay")
struct AuditReplayTests {
    static let audit = """
    {"action":"create","authMethod":"htpasswd","clientIp":"127.0.0.1","method":"POST","path":"/v2/ci/app/blobs/uploads/","repository":"ci/app","requestId":"1","result":"allow","rule":"x","time":"t1","user":"ci"}
    {"action":"delete","authMethod":"htpasswd","clientIp":"127.0.0.1","method":"DELETE","path":"/v2/ci/app/manifests/v1","repository":"ci/app","requestId":"2","result":"deny","rule":"x","time":"t2","user":"ci"}
    {"action":"read","authMethod":"anonymous","clientIp":"127.0.0.1","method":"GET","path":"/v2/ci/app/manifests/v1","repository":"ci/app","requestId":"3","result":"allow","rule":"x","time":"t3"}
    {"authMethod":"anonymous","clientIp":"127.0.0.1","method":"GET","path":"/v2/","requestId":"4","result":"auth-failure","time":"t4"}
    not json at all

    {"action":"read","authMethod":"htpasswd","groups":["devs"],"clientIp":"127.0.0.1","method":"GET","path":"/v2/team/x/tags/list","repository":"team/x","requestId":"5","result":"deny","rule":"x","time":"t5","user":"dana"}
    """

    @Test("Decisions the new policy would change are listed with their line, and the rest are counted")
    func listsChangedDecisions() throws {
        let policy = AccessControl(repositories: [
            RepositoryRules(pattern: "ci/**", policies: [PolicyEntry(users: ["ci"], actions: [.create, .delete])]),
            RepositoryRules(pattern: "team/**", policies: [PolicyEntry(groups: ["devs"], actions: [.read])]),
        ])
        let report = AuditReplay(policy: try AccessPolicy(accessControl: policy, authentication: Self.htpasswd)).replay(Self.audit)
        #expect(report.replayed == 4)
        #expect(report.skipped == 2)
        #expect(report.changes.map(\.line) == [2, 3, 7])
        #expect(report.changes.map(\.after) == ["allow", "deny", "allow"])
        #expect(report.changes[1].user == nil)
        #expect(report.text.contains("line 3: read on \"ci/app\" by anonymous: allow → deny"))
        #expect(report.text.hasSuffix("4 decisions replayed, 3 would change, 2 lines skipped"))
    }

    static let htpasswd = AuthenticationSettings(methods: ["htpasswd", "apikey"])

    @Test("A denial caused by an API key's scope stays a denial on replay: method and scopes are restored")
    func scopedKeyDenialIsReplayedWithItsScopes() throws {
        let control = AccessControl(repositories: [
            RepositoryRules(pattern: "**", policies: [PolicyEntry(users: ["ci"], actions: [.read, .create, .update, .delete])]),
        ])
        let policy = try AccessPolicy(accessControl: control, authentication: Self.htpasswd)
        let key = Identity(username: "ci", method: .apiKey, scopes: [AccessScope(repositories: "ci/**", actions: [.read])],
                           credentialID: "k1")
        let verdict = policy.decide(key, AccessRequirement(RepositoryName("ci/app")!, .delete))
        #expect(!verdict.allowed)
        let event = AuditEvent(time: "t", requestId: "1", clientIp: "127.0.0.1", method: "DELETE", path: "/v2/ci/app/manifests/v1",
                               repository: "ci/app", action: "delete", user: "ci", authMethod: key.method.rawValue,
                               result: .deny, rule: verdict.rule, credentialId: "k1", scopes: key.scopes)
        let line = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
        let report = AuditReplay(policy: policy).replay(line)
        #expect(report.replayed == 1)
        #expect(report.changes.isEmpty, "the key's scope still denies delete: no false deny → allow")
        #expect(event.identity == key)
    }

    @Test("Replaying under an identical policy changes nothing")
    func samePolicyNoChanges() throws {
        let policy = AccessControl(repositories: [
            RepositoryRules(pattern: "ci/**", policies: [PolicyEntry(users: ["ci"], actions: [.create])], anonymousPolicy: [.read]),
        ])
        let report = AuditReplay(policy: try AccessPolicy(accessControl: policy, authentication: Self.htpasswd)).replay(Self.audit)
        #expect(report.changes.map(\.line) == [])
    }
}
