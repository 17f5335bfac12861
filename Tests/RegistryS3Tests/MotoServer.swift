import Foundation
import RegistryS3
#if canImport(Glibc)
import Glibc
#endif

/// A real S3 API server for the tests: `moto_server` from PyPI (`pip install 'moto[server]'`, which
/// scripts/install-deps.sh does), started once per test process on a free 127.0.0.1 port and stopped by PID
/// when the process exits.
enum MotoServer {
    /// The `moto_server` executable on PATH, if any.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static var isInstalled: Bool { executable != nil }

    /// The running server's endpoint (started on first use).
    static func endpoint() async throws -> S3Endpoint {
        try await shared.value
    }

    private static let shared = Task<S3Endpoint, any Error> {
        guard let executable else { throw MotoError.notInstalled }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        startedPID = process.processIdentifier
        // moto_server (werkzeug) does not stop on SIGTERM or SIGINT while serving; SIGKILL by PID at exit.
        atexit { if MotoServer.startedPID > 0 { kill(MotoServer.startedPID, SIGKILL) } }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if canConnect(port: port) { return S3Endpoint(scheme: "http", host: "127.0.0.1", port: Int(port)) }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        throw MotoError.didNotStart(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))
    }

    nonisolated(unsafe) static var startedPID: pid_t = 0

    enum MotoError: Error { case notInstalled, didNotStart(String), noPort }

    /// A port the kernel just handed out on 127.0.0.1 (bound to port 0, then released).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw MotoError.noPort }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func canConnect(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A client on a fresh bucket of its own, path style, as Zot's moto/localstack examples configure it.
    static func clientWithNewBucket(_ label: String = "t") async throws -> S3Client {
        let endpoint = try await endpoint()
        let bucket = "\(label)-\(UUID().uuidString.lowercased().prefix(12))"
        let client = S3Client(configuration: S3Configuration(
            bucket: bucket, region: "us-east-1", endpoint: endpoint, forcePathStyle: true,
            credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")))
        do {
            try await client.createBucket()
        } catch {
            try? await client.shutdown()
            throw error
        }
        return client
    }
}
