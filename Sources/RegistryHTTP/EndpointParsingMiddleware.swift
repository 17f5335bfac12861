import Hummingbird
import RegistryCore

/// A request path as the registry understands it, parsed once per request by ``EndpointParsingMiddleware``.
public enum ParsedEndpoint: Sendable {
    /// Not a `/v2` path (metrics, account routes, pages, unknown).
    case notRegistry
    /// A `/v2` endpoint.
    case registry(RegistryEndpoint)
    /// A `/v2` path that names an invalid repository, digest or reference; answered with this error.
    case invalid(RegistryError)

    /// Parses the request's path (see `RegistryEndpoint.parse(_:)` for the malformed-tag rule).
    init(_ request: Request) {
        do throws(RegistryError) {
            self = try RegistryEndpoint.parse(request).map(ParsedEndpoint.registry) ?? .notRegistry
        } catch {
            self = .invalid(error)
        }
    }

    /// The endpoint, throwing the parse error for an invalid `/v2` path; `nil` outside `/v2`.
    public func get() throws(RegistryError) -> RegistryEndpoint? {
        switch self {
        case .notRegistry: return nil
        case .registry(let endpoint): return endpoint
        case .invalid(let error): throw error
        }
    }
}

/// First stage of the pipeline: parses the path into ``RegistryRequestContext/endpoint`` so metrics,
/// authorization and the handlers all read the same parse.
struct EndpointParsingMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.endpoint = ParsedEndpoint(request)
        return try await next(request, context)
    }
}
