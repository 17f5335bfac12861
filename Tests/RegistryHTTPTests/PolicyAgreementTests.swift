import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import RegistryApp
import RegistryConfig
import RegistryCore
import RegistryHTTP
import RegistryPolicy
import Testing

/// The server pipeline and the dry-run (`zot-authz test`) answer from the same `AccessPolicy`: the same cases run
/// through both must agree.
@Suite("Server and dry-run agree")
struct PolicyAgreementTests {
    /// One question: who asks, what request, and the action/repository the dry-run is asked about.
    struct Case: Sendable, CustomStringConvertible {
        var user: String?
        var method: HTTPRequest.Method
        var path: String
        var repository: String
        var action: RegistryAction
        var description: String { "\(user ?? "anonymous") \(method) \(path)" }
    }

    static let passwords = ["alice": "alice-pw", "bob": "bob-pw"]

    static let cases: [Case] = [
        Case(user: nil, method: .get, path: "/v2/team/app/tags/list", repository: "team/app", action: .read),
        Case(user: nil, method: .get, path: "/v2/public/app/tags/list", repository: "public/app", action: .read),
        Case(user: nil, method: .post, path: "/v2/public/app/blobs/uploads/", repository: "public/app", action: .create),
        Case(user: "alice", method: .get, path: "/v2/team/app/tags/list", repository: "team/app", action: .read),
        Case(user: "alice", method: .post, path: "/v2/team/app/blobs/uploads/", repository: "team/app", action: .create),
        Case(user: "alice", method: .delete, path: "/v2/team/app/manifests/v1", repository: "team/app", action: .delete),
        Case(user: "bob", method: .post, path: "/v2/team/app/blobs/uploads/", repository: "team/app", action: .create),
        Case(user: "bob", method: .get, path: "/v2/other/app/tags/list", repository: "other/app", action: .read),
    ]

    static let accessControl = """
    {"repositories": {"team/**": {"policies": [{"users": ["alice"], "actions": ["read", "create"]},
                                                {"users": ["bob"], "actions": ["read"]}]},
                      "public/**": {"anonymousPolicy": ["read"]}}}
    """

    /// `http` sections to compare under: failDelay only (no method), htpasswd without and with accessControl.
    static func httpSections(htpasswd: String) -> [String: String] {
        [
            "failDelay only": #""auth": {"failDelay": 1}"#,
            "htpasswd, no accessControl": #""auth": {"htpasswd": {"path": "\#(htpasswd)"}}"#,
            "htpasswd with accessControl": #""auth": {"htpasswd": {"path": "\#(htpasswd)"}}, "accessControl": \#(accessControl)"#,
        ]
    }

    @Test("Every case gets the same allow/deny from the server pipeline and from the dry-run, under every config")
    func serverAndDryRunAgree() async throws {
        let directory = try TemporaryDirectory()
        let htpasswd = directory.path + "/htpasswd"
        try writeHtpasswd(Self.passwords.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: htpasswd)
        for (name, http) in Self.httpSections(htpasswd: htpasswd).sorted(by: { $0.key < $1.key }) {
            let json = """
            {"storage": {"rootDirectory": \(JSONText.quote(directory.path + "/" + name.filter(\.isLetter)))},
             "http": {"address": "127.0.0.1", "port": 5000, \(http)}, "log": {"level": "error"}}
            """
            let config = try ConfigLoader.parse(json, format: .json)
            let policy = try RegistryService.accessPolicy(config)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let options = try RegistryService.options(from: config, logger: logger)
            let app = Application(router: RegistryServer.router(options), logger: logger)
            try await app.test(.router) { client in
                // Without a password method, presented credentials cannot be verified (401): users are asked only
                // where htpasswd is configured.
                for testCase in Self.cases where testCase.user == nil || config.authenticationMethods.contains("htpasswd") {
                    let headers = testCase.user.map { basicAuthorization($0, Self.passwords[$0]!) } ?? [:]
                    let response = try await client.execute(uri: testCase.path, method: testCase.method, headers: headers)
                    let serverAllowed = response.status != .unauthorized && response.status != .forbidden
                    let options = testCase.user.map { DryRunIdentityOptions(user: $0) } ?? DryRunIdentityOptions(anonymous: true)
                    let identity = try DryRunIdentity.resolve(options, config: config).identity
                    let verdict = policy.decide(identity, AccessRequirement(RepositoryName(testCase.repository)!, testCase.action))
                    #expect(serverAllowed == verdict.allowed, "\(name): \(testCase) — server \(response.status), dry-run \(verdict.rule)")
                }
            }
        }
    }

    @Test("With http.auth holding only failDelay, anonymous users may push, as the dry-run says")
    func failDelayOnlyConfigIsOpen() async throws {
        let directory = try TemporaryDirectory()
        let json = """
        {"storage": {"rootDirectory": \(JSONText.quote(directory.path))},
         "http": {"address": "127.0.0.1", "port": 5000, "auth": {"failDelay": 1}}}
        """
        let config = try ConfigLoader.parse(json, format: .json)
        #expect(config.authenticationMethods.isEmpty)
        let policy = try RegistryService.accessPolicy(config)
        let anonymous = try DryRunIdentity.resolve(DryRunIdentityOptions(anonymous: true), config: config).identity
        #expect(policy.decide(anonymous, AccessRequirement(RepositoryName("any/repo")!, .create)).allowed)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = Application(router: RegistryServer.router(try RegistryService.options(from: config, logger: logger)), logger: logger)
        try await app.test(.router) { client in
            let base = try await client.execute(uri: "/v2/", method: .get)
            #expect(base.status == .ok)
            let upload = try await client.execute(uri: "/v2/any/repo/blobs/uploads/", method: .post)
            #expect(upload.status == .accepted)
        }
    }
}
