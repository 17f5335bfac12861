import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
@testable import RegistryHTTP
import Testing

@Suite("Metrics content")
struct MetricsContentTests {
    @Test("A push and a pull show up as requests by route template, content bytes, authentications and storage size")
    func pushAndPullAreCounted() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            let image = TestImage(seed: "metrics")
            try await client.pushImage("team/app", "v1", image, headers: authorization("alice"))
            try await client.execute(uri: "/v2/team/app/blobs/\(image.layerDigest)", method: .get, headers: authorization("bob")) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v2/team/app/manifests/v1", method: .get, headers: authorization("bob")) {
                #expect($0.status == .ok)
            }
            let samples = try await client.scrape()
            #expect(samples[#"zot_authz_http_requests_total{method="PUT",route="manifests",status="201"}"#] == 1)
            #expect(samples[#"zot_authz_http_requests_total{method="POST",route="uploads",status="202"}"#] == 2)
            #expect(samples[#"zot_authz_http_requests_total{method="GET",route="blobs",status="200"}"#] == 1)
            #expect(samples[#"zot_authz_upload_bytes_total{kind="blob"}"#] == Double(image.config.count + image.layer.count))
            #expect(samples[#"zot_authz_upload_bytes_total{kind="manifest"}"#] == Double(image.manifest.count))
            #expect(samples[#"zot_authz_download_bytes_total{kind="blob"}"#] == Double(image.layer.count))
            #expect(samples[#"zot_authz_download_bytes_total{kind="manifest"}"#] == Double(image.manifest.count))
            #expect(samples[#"zot_authz_authentications_total{method="htpasswd",result="success",reason="none"}"#] ?? 0 >= 7)
            #expect(samples[#"zot_authz_http_request_duration_seconds_count{method="GET",route="blobs"}"#] == 1)
            let stored = try #require(samples["zot_authz_storage_bytes"])
            #expect(stored >= Double(image.config.count + image.layer.count + image.manifest.count))
        }
    }

    @Test("Denials, failed logins and rate-limited requests are counted by action, reason and scope")
    func refusalsAreCounted() async throws {
        let setup = MetricsRegistrySetup(accessControl: teamAccessControl, rateLimit: #"{"methods": [{"method": "DELETE", "rate": 1}]}"#)
        try await withMetricsRegistry(setup) { client, _ in
            try await client.execute(uri: "/v2/team/app/blobs/uploads/", method: .post, headers: authorization("bob")) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("bob", "wrong")) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: authorization("bob")) { #expect($0.status == .forbidden) }
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                statuses.append(try await client.execute(uri: "/v2/team/app/manifests/v1", method: .delete, headers: authorization("alice")).status)
            }
            #expect(statuses.contains(.tooManyRequests))
            let samples = try await client.scrape()
            #expect(samples[#"zot_authz_policy_denials_total{action="create"}"#] == 1)
            #expect(samples[#"zot_authz_policy_denials_total{action="metrics"}"#] == 1)
            #expect(samples[#"zot_authz_authentications_total{method="basic",result="failure",reason="invalid-credentials"}"#] == 1)
            #expect(samples[#"zot_authz_rate_limited_requests_total{scope="address"}"#] == Double(statuses.filter { $0 == .tooManyRequests }.count))
            #expect(samples[#"zot_authz_http_requests_total{method="GET",route="metrics",status="403"}"#] == 1)
        }
    }

    @Test("Labels never carry raw paths: different repositories and unknown paths share their route template")
    func labelsAreBounded() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            for name in ["team/one", "team/two", "team/three"] {
                try await client.execute(uri: "/v2/\(name)/tags/list", method: .get, headers: authorization("alice")) {
                    #expect($0.status == .notFound)
                }
            }
            try await client.execute(uri: "/no/such/secret-path", method: .get, headers: authorization("alice")) { #expect($0.status == .notFound) }
            let response = try await client.execute(uri: "/metrics", method: .get, headers: authorization("alice"))
            #expect(metricSamples(response.text)[#"zot_authz_http_requests_total{method="GET",route="tags",status="404"}"#] == 3)
            #expect(metricSamples(response.text)[#"zot_authz_http_requests_total{method="GET",route="other",status="404"}"#] == 1)
            #expect(!response.text.contains("team/"))
            #expect(!response.text.contains("secret-path"))
        }
    }

    @Test("Each server counts only its own requests (no process-global metrics)")
    func serversAreIndependent() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            _ = try await client.execute(uri: "/v2/", method: .get, headers: authorization("alice"))
            _ = try await client.execute(uri: "/v2/", method: .get, headers: authorization("alice"))
        }
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            let samples = try await client.scrape()
            #expect(samples[#"zot_authz_http_requests_total{method="GET",route="base",status="200"}"#] == nil)
        }
    }

    /// promtool's lint findings on Zot's own series: Zot names these labels in camelCase (`binaryType`, `goVersion`,
    /// `storageName`, `lockType`) and Zot dashboards query them so; they are kept and this is all promtool may say.
    static let zotCamelCaseLabels: Set<String> = [
        "zot_info label names should be written in 'snake_case' not 'camelCase'",
        "zot_storage_lock_latency_seconds label names should be written in 'snake_case' not 'camelCase'",
    ]

    @Test("The exposition passes promtool check metrics, but for the camelCase labels Zot's own series carry", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool")))
    func promtoolAcceptsTheExposition() async throws {
        try await withMetricsRegistry(MetricsRegistrySetup(accessControl: teamAccessControl)) { client, _ in
            try await client.pushImage("team/app", "v1", TestImage(seed: "promtool"), headers: authorization("alice"))
            _ = try await client.execute(uri: "/v2/", method: .get, headers: basicAuthorization("bob", "wrong"))
            let text = try await client.execute(uri: "/metrics", method: .get, headers: authorization("alice")).text
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
            process.arguments = ["check", "metrics"]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
            let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let findings = Set(report.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            #expect(findings.subtracting(Self.zotCamelCaseLabels).isEmpty, "promtool: \(report)")
            // Exit status 3 is lint findings only; 1 would be a malformed exposition.
            #expect(process.terminationStatus == 0 || (process.terminationStatus == 3 && !findings.isEmpty), "promtool: \(report)")
        }
    }
}
