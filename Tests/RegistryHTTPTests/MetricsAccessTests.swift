import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
import RegistryPolicy
@testable import RegistryHTTP
import Testing

@Suite("Metrics endpoint access")
struct MetricsAccessTests {
    @Test("Anonymous callers get 401 with the Basic challenge unless metrics.anonymousPolicy grants read")
    func anonymousIsChallenged() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") == "Basic realm=\"zot-authz-test\"")
                #expect(ociErrorCodes(response) == ["UNAUTHORIZED"])
            }
        }
    }

    @Test("An authenticated user not listed in metrics.users gets 403 DENIED")
    func unlistedUserIsDenied() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            try await client.execute(uri: "/metrics", method: .get, headers: authorization("bob")) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
                #expect(!response.text.contains("zot_authz_"))
            }
        }
    }

    @Test("A listed user gets the Prometheus text exposition although no repository rule mentions /metrics")
    func listedUserReads() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            try await client.execute(uri: "/metrics", method: .get, headers: authorization("alice")) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(metricSamples(response.text)["zot_authz_up"] == 1)
            }
        }
    }

    @Test("metrics.anonymousPolicy [read] lets anonymous callers scrape")
    func anonymousReadPolicy() async throws {
        let accessControl = #"{"repositories": {}, "metrics": {"users": ["alice"], "anonymousPolicy": ["read"]}}"#
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: accessControl)) { client, _ in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("A failed login on /metrics is a 401 like anywhere else, not a policy decision")
    func badPasswordIsUnauthorized() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            try await client.execute(uri: "/metrics", method: .get, headers: basicAuthorization("alice", "wrong")) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test("A custom prometheus.path is served and /metrics is then not")
    func customPath() async throws {
        let setup = MetricsRegistrySetup(accessControl: teamAccessControl, metrics: #"{"enable": true, "prometheus": {"path": "/internal/metrics"}}"#)
        try await withMetricsRegistry(setup) { client, _ in
            #expect(try await client.scrape(path: "/internal/metrics")["zot_authz_up"] == 1)
            try await client.execute(uri: "/metrics", method: .get, headers: authorization("alice")) { #expect($0.status == .notFound) }
        }
    }

    @Test("With metrics disabled there is no endpoint and nothing is counted")
    func disabled() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl, metrics: #"{"enable": false}"#)) { client, options in
            #expect(options.metrics == nil)
            try await client.execute(uri: "/metrics", method: .get, headers: authorization("alice")) { #expect($0.status == .notFound) }
        }
    }

    @Test("The metrics decision is recorded in the audit trail, a denial and an allowance each once")
    func decisionsAreAudited() async throws {
        let directory = try TemporaryDirectory()
        let auditPath = directory.path + "/audit.log"
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl, auditPath: auditPath)) { client, _ in
            try await client.execute(uri: "/metrics", method: .get, headers: authorization("bob")) { #expect($0.status == .forbidden) }
            _ = try await client.scrape(as: "alice")
        }
        let events = try String(contentsOfFile: auditPath, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["path"] as? String == "/metrics" }
        #expect(events.map { $0["user"] as? String } == ["bob", "alice"])
        #expect(events.map { $0["result"] as? String } == ["deny", "allow"])
        #expect((events.first?["rule"] as? String)?.contains("metrics.users") == true)
    }

    @Test("An admin with read is let in as a break-glass grant; a scoped credential never is")
    func adminAndScopedCredentials() {
        let accessControl = AccessControl(adminPolicy: PolicyEntry(groups: ["ops"], actions: [.read]), groups: ["ops": ["carol"]],
                                          metricsUsers: ["alice"])
        let policy = try! AccessPolicy(accessControl: accessControl, authentication: AuthenticationSettings(methods: ["htpasswd"]))
        let carol = policy.decideMetrics(Identity(username: "carol", method: .htpasswd))
        #expect(carol.allowed && carol.breakGlass)
        #expect(policy.decideMetrics(Identity(username: "dave", groups: ["ops"], method: .ldap)).allowed)
        #expect(!policy.decideMetrics(Identity(username: "erin", method: .htpasswd)).allowed)
        let scoped = Identity(username: "alice", method: .apiKey, scopes: [AccessScope(repositories: "**", actions: [.read])])
        #expect(!policy.decideMetrics(scoped).allowed)
        #expect(!policy.decideMetrics(.anonymous).allowed)
    }

    @Test("Without accessControl, metrics follow the open-registry rule: authenticated users, or everyone without auth")
    func withoutAccessControl() {
        let withAuth = AccessPolicy(engine: nil, authentication: AuthenticationSettings(methods: ["htpasswd"]))
        #expect(withAuth.decideMetrics(Identity(username: "bob", method: .htpasswd)).allowed)
        #expect(!withAuth.decideMetrics(.anonymous).allowed)
        #expect(AccessPolicy(engine: nil, authentication: .none).decideMetrics(.anonymous).allowed)
    }
}
