import Foundation
import Hummingbird

/// Kubernetes-style probes at Zot's paths, answered before rate limiting and authentication and never revealing
/// detail: `/livez` (the process serves requests), `/readyz` (storage writable and metadata reachable),
/// `/startupz` (start-up finished: the routes exist once the server runs). 200 `ok`, or 503 `not ready`.
public struct HealthChecks: Sendable {
    /// Whether the registry can serve traffic now (storage and metadata store usable).
    public var isReady: @Sendable () async -> Bool

    /// Creates the checks.
    public init(isReady: @escaping @Sendable () async -> Bool) {
        self.isReady = isReady
    }

    /// Probes that are always ready (tests, or nothing to check).
    public static let alwaysReady = HealthChecks { true }

    /// Whether `directory` exists and this process may create files in it.
    public static func isWritableDirectory(_ directory: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
            && access(directory, W_OK | X_OK) == 0
    }

    func register(on router: Router<RegistryRequestContext>) {
        let plain: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
        for path in ["/livez", "/startupz"] {
            router.get(RouterPath(path)) { _, _ in Response(status: .ok, headers: plain, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        }
        router.get("/readyz") { _, _ in
            let ready = await isReady()
            return Response(status: ready ? .ok : .serviceUnavailable, headers: plain,
                            body: .init(byteBuffer: ByteBuffer(string: ready ? "ok\n" : "not ready\n")))
        }
    }
}
