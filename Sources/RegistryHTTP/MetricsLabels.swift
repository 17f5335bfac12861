import HTTPTypes
import RegistryAuth
import RegistryAuthCore
import RegistryCore

/// The route template of a request, used as a metric label: a small fixed set, never the raw path
/// (which holds repository names, digests and upload ids).
enum MetricsRoute: String, Sendable, CaseIterable {
    case base
    case catalog
    case tags
    case manifests
    case blobs
    case uploads
    case referrers
    case metrics
    /// Routes under `/zot/auth/` (login, API keys).
    case auth
    /// Anything else, including malformed `/v2/` paths.
    case other

    /// Classifies `path` (already parsed as `endpoint`); `metricsPath` is where `/metrics` is served.
    static func classify(path: String, endpoint parsed: ParsedEndpoint, metricsPath: String?) -> MetricsRoute {
        if path == metricsPath { return .metrics }
        if path == "/zot/auth" || path.hasPrefix("/zot/auth/") { return .auth }
        guard case .registry(let endpoint) = parsed else { return .other }
        switch endpoint {
        case .base: return .base
        case .catalog: return .catalog
        case .tagsList: return .tags
        case .manifest: return .manifests
        case .blob: return .blobs
        case .startUpload, .upload: return .uploads
        case .referrers: return .referrers
        }
    }

    /// The method as a label: the registry's methods by name, anything else as `OTHER`.
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .put, .post, .patch, .delete, .options: return method.rawValue
        default: return "OTHER"
        }
    }

    /// Whether the request body is pushed content: a blob upload or a manifest.
    func uploadKind(_ method: HTTPRequest.Method) -> RegistryMetrics.BodyKind? {
        switch (self, method) {
        case (.uploads, .post), (.uploads, .patch), (.uploads, .put): return .blob
        case (.manifests, .put): return .manifest
        default: return nil
        }
    }

    /// Whether a response with `status` carries pulled content: a blob or a manifest.
    func downloadKind(_ method: HTTPRequest.Method, status: Int) -> RegistryMetrics.BodyKind? {
        guard method == .get, status == 200 || status == 206 else { return nil }
        switch self {
        case .blobs: return .blob
        case .manifests: return .manifest
        default: return nil
        }
    }
}

extension AuthenticationRequest {
    /// The kind of credential a failed request presented, as a metric label: the `Authorization` scheme
    /// (`basic`, `bearer`, else `other`), else `certificate`, else `cookie`, else `none`. Never the credential.
    var presentedCredentialKind: String {
        if let header = authorizationHeaders.first {
            let scheme = header.prefix { $0 != " " }.lowercased()
            return scheme == "basic" || scheme == "bearer" ? scheme : "other"
        }
        if peerCertificateDER != nil { return "certificate" }
        return cookieHeaders.isEmpty ? "none" : "cookie"
    }
}
