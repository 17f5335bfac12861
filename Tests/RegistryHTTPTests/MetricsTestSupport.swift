import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RegistryConfig
import RegistryCore
@testable import RegistryApp
@testable import RegistryHTTP

/// Users known to every metrics test registry (htpasswd, bcrypt cost 5).
let metricsTestUsers: [(name: String, password: String)] = [
    ("alice", "alice-secret"), ("bob", "bob-secret"), ("carol", "carol-secret"),
]

func authorization(_ user: String) -> HTTPFields {
    let password = metricsTestUsers.first { $0.name == user }?.password ?? ""
    return basicAuthorization(user, password)
}

/// A registry with `extensions.metrics` enabled (unless `metrics` says otherwise).
struct MetricsRegistrySetup {
    /// The JSON object text of `http.accessControl`, if any.
    var accessControl: String?
    /// The JSON object text of `extensions.metrics`, or nil for no metrics section.
    var metrics: String? = #"{"enable": true}"#
    /// The JSON object text of `http.ratelimit`, if any.
    var rateLimit: String?
    /// `log.audit`, if any.
    var auditPath: String?
    /// The application's logger (silent by default).
    var logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()
}

/// Builds the full pipeline from a Zot JSON config with `metricsTestUsers` and runs `body` against it in process.
func withMetricsRegistry(_ setup: MetricsRegistrySetup,
                         _ body: @escaping @Sendable (any TestClientProtocol, RegistryServerOptions) async throws -> Void) async throws {
    let directory = try TemporaryDirectory()
    let htpasswdPath = directory.path + "/htpasswd"
    try writeHtpasswd(metricsTestUsers, to: htpasswdPath)
    var http = "\"address\":\"127.0.0.1\",\"port\":5000,\"realm\":\"zot-authz-test\",\"auth\":{\"htpasswd\":{\"path\":\(JSONText.quote(htpasswdPath))}}"
    if let accessControl = setup.accessControl { http += ",\"accessControl\":\(accessControl)" }
    if let rateLimit = setup.rateLimit { http += ",\"ratelimit\":\(rateLimit)" }
    let audit = setup.auditPath.map { ",\"audit\":\(JSONText.quote($0))" } ?? ""
    let extensions = setup.metrics.map { ",\"extensions\":{\"metrics\":\($0)}" } ?? ""
    let json = "{\"storage\":{\"rootDirectory\":\(JSONText.quote(directory.path + "/storage"))},\"http\":{\(http)},"
        + "\"log\":{\"level\":\"info\"\(audit)}\(extensions)}"
    let options = try RegistryService.options(from: try ConfigLoader.parse(json, format: .json), logger: setup.logger)
    let app = Application(router: RegistryServer.router(options), logger: setup.logger)
    try await app.test(.router) { client in
        try await body(client, options)
    }
    withExtendedLifetime(directory) {}
}

/// The samples of a Prometheus text exposition: `name{labels}` → value (comment lines skipped).
func metricSamples(_ exposition: String) -> [String: Double] {
    var samples: [String: Double] = [:]
    for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        samples[String(line[..<space])] = value
    }
    return samples
}

extension TestClientProtocol {
    /// Scrapes `/metrics` as `user` and returns the samples; fails unless the scrape answered 200.
    func scrape(as user: String = "alice", path: String = "/metrics") async throws -> [String: Double] {
        let response = try await execute(uri: path, method: .get, headers: authorization(user))
        guard response.status == .ok else { throw FixtureError(description: "scrape answered \(response.status): \(response.text)") }
        return metricSamples(response.text)
    }
}

/// An access-control section where alice may push to `team/**` and read metrics, and bob may only read `team/**`.
let teamAccessControl = """
{"repositories": {"team/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update", "delete"]}],
                               "defaultPolicy": ["read"]}},
 "metrics": {"users": ["alice"]}}
"""
