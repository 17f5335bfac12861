import Hummingbird
import RegistryCore

extension RegistryEndpoint {
    /// Parses a request's path as `parse(path:)` does, except that a GET or HEAD of a manifest
    /// with a malformed tag (e.g. `.INVALID_MANIFEST_NAME`) is `MANIFEST_UNKNOWN` (404), as the
    /// OCI conformance suite v1.1.1 and Distribution expect: no such manifest can exist. A PUT of
    /// one stays `MANIFEST_INVALID` (400).
    static func parse(_ request: Request) throws(RegistryError) -> RegistryEndpoint? {
        do {
            return try parse(path: request.uri.path)
        } catch let error where error.code == .manifestInvalid && (request.method == .get || request.method == .head) {
            throw RegistryError(.manifestUnknown, detail: error.detail ?? "invalid reference")
        }
    }
}
