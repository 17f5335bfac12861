import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import RegistryConfig
@testable import RegistryApp
@testable import RegistryHTTP
import Testing

@Suite("JSON server logs")
struct JSONLogHandlerTests {
    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    @Test("After log rotation renames the file, the next line goes to a new file at the same path")
    func followsRotation() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/server.log"
        let logger = Logger(label: "zot-authz", factory: JSONLogHandler.factory(try JSONLogHandler.Destination(appendingTo: path)))
        logger.info("before rotation")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        logger.info("after rotation")
        #expect(try Self.lines(path + ".1").map { $0["message"] as? String } == ["before rotation"])
        #expect(try Self.lines(path).map { $0["message"] as? String } == ["after rotation"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test("Each message is one JSON object per line with time, level, label, message and string metadata")
    func linesAreJSONObjects() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/server.log"
        var logger = Logger(label: "zot-authz", factory: JSONLogHandler.factory(try JSONLogHandler.Destination(appendingTo: path)))
        logger.logLevel = .debug
        logger[metadataKey: "hb.request.id"] = "0123abcd"
        logger.info("first \"quoted\"\nmessage", metadata: ["count": "\(3)", "nested": ["a": "b"], "message": "shadowed"])
        logger.debug("second")
        logger.trace("not written at debug level")
        let lines = try Self.lines(path)
        #expect(lines.count == 2)
        let first = try #require(lines.first)
        #expect(first["message"] as? String == "first \"quoted\"\nmessage")
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "zot-authz")
        #expect(first["requestId"] as? String == "0123abcd")
        #expect(first["hb.request.id"] == nil)
        #expect(first["count"] as? String == "3")
        #expect(first["nested"] is String)
        #expect(first["metadata.message"] as? String == "shadowed")
        let time = try #require(first["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "time: \(time)")
        #expect(lines.last?["level"] as? String == "debug")
    }

    @Test("Metadata that looks like a credential is redacted")
    func secretsAreRedacted() {
        let line = JSONLogHandler.line(time: "t", level: .info, label: "l", message: "m", error: nil,
                                       metadata: ["Authorization": "Basic YWxpY2U6c2VjcmV0", "cookie": "session=abc", "user": "alice"])
        #expect(!line.contains("YWxpY2U6c2VjcmV0"))
        #expect(!line.contains("session=abc"))
        #expect(line.contains("\"user\":\"alice\""))
    }

    @Test("A request's log line carries the same requestId as its audit event")
    func requestIdMatchesAuditTrail() async throws {
        let directory = try TemporaryDirectory()
        let logPath = directory.path + "/server.log"
        let auditPath = directory.path + "/audit.log"
        var logger = Logger(label: "zot-authz", factory: JSONLogHandler.factory(try JSONLogHandler.Destination(appendingTo: logPath)))
        logger.logLevel = .info
        let setup = MetricsRegistrySetup(accessControl: teamAccessControl, auditPath: auditPath, logger: logger)
        try await withMetricsRegistry(setup) { client, _ in
            try await client.execute(uri: "/v2/team/app/blobs/uploads/", method: .post, headers: authorization("bob")) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: authorization("bob")) { #expect($0.status == .forbidden) }
        }
        let logLines = try Self.lines(logPath)
        let denials = logLines.filter { ($0["message"] as? String)?.hasSuffix("access denied") == true }
        #expect(denials.count == 2)
        let auditIds = Set(try Self.lines(auditPath).filter { $0["result"] as? String == "deny" }.compactMap { $0["requestId"] as? String })
        let logIds = Set(denials.compactMap { $0["requestId"] as? String })
        #expect(logIds.count == 2)
        #expect(logIds == auditIds)
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(!text.contains("bob-secret"))
        #expect(!text.contains(Data("bob:bob-secret".utf8).base64EncodedString()))
    }

    @Test("log.format text keeps the plain file format; json is the default for log.output")
    func formatSelectsHandler() throws {
        let directory = try TemporaryDirectory()
        let jsonPath = directory.path + "/json.log", textPath = directory.path + "/text.log"
        try RegistryService.serverLogger(LogConfig(output: jsonPath)).info("hello json")
        try RegistryService.serverLogger(LogConfig(output: textPath, format: .text)).info("hello text")
        #expect(try Self.lines(jsonPath).first?["message"] as? String == "hello json")
        let text = try String(contentsOfFile: textPath, encoding: .utf8)
        #expect(text.contains("hello text") && !text.hasPrefix("{"))
    }
}
