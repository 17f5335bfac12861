import Hummingbird
import HTTPTypes
import NIOCore
import RegistryCore

/// The one error type rendered on the wire: an OCI error body plus any headers it needs
/// (`WWW-Authenticate` on 401, `Retry-After` on 429, `Content-Range` on 416).
public struct RegistryHTTPError: HTTPResponseError {
    /// The registry error shown to the client.
    public let error: RegistryError
    /// Extra response headers.
    public let headers: HTTPFields

    public init(_ error: RegistryError, headers: HTTPFields = [:]) {
        self.error = error
        self.headers = headers
    }

    public var status: HTTPResponse.Status { .init(code: error.status) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: error.jsonBody))
        if request.method == .head {
            fields[.contentLength] = String(error.jsonBody.utf8.count)
        }
        return Response(status: status, headers: fields, body: body)
    }

    /// A 401 carrying `challenge`, which clients need to offer credentials.
    static func unauthorized(_ challenge: AuthenticationChallenge, detail: String? = nil) -> RegistryHTTPError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = challenge.headerValue
        return RegistryHTTPError(RegistryError(.unauthorized, detail: detail), headers: headers)
    }
}

/// Outermost middleware: turns every failure into an OCI error response and never leaks
/// internal error text (it is logged with the request id instead). Every 401 gets its challenge here, so
/// the rest of the code throws `RegistryError(.unauthorized)` and never builds `WWW-Authenticate` itself.
struct ErrorRenderingMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    /// The challenge added to `UNAUTHORIZED` errors.
    let challenge: AuthenticationChallenge

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RegistryHTTPError {
            if error.error.code == .unauthorized, error.headers[.wwwAuthenticate] == nil {
                var headers = error.headers
                headers[.wwwAuthenticate] = challengeValue(request, context)
                return try RegistryHTTPError(error.error, headers: headers).response(from: request, context: context)
            }
            return try error.response(from: request, context: context)
        } catch let error as InsufficientScope {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = challengeValue(request, context, insufficientScope: true)
            return try RegistryHTTPError(error.error, headers: headers).response(from: request, context: context)
        } catch let error as RegistryError {
            if error.code == .unauthorized {
                var headers = HTTPFields()
                headers[.wwwAuthenticate] = challengeValue(request, context)
                return try RegistryHTTPError(RegistryError(.unauthorized, detail: error.detail), headers: headers)
                    .response(from: request, context: context)
            }
            return try RegistryHTTPError(error).response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            // A body collected elsewhere without ``BodyLimit``: still the client's fault, never a 500.
            return try RegistryHTTPError(RegistryError(.sizeInvalid, status: 413, message: "the request body is too large"))
                .response(from: request, context: context)
        } catch let error as HTTPError {
            let code: RegistryErrorCode
            switch error.status.code {
            case 413: code = .sizeInvalid
            case 404: code = .unsupported
            case 400: code = .unsupported
            default: code = error.status.code >= 500 ? .unknown : .unsupported
            }
            let mapped = RegistryError(code, status: error.status.code, message: error.body ?? error.status.reasonPhrase)
            return try RegistryHTTPError(mapped).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return try RegistryHTTPError(RegistryError(.unknown, detail: "internal error; see server log for request \(context.id)"))
                .response(from: request, context: context)
        }
    }

    /// The challenge for this request: a Bearer challenge names the scope the request needs.
    private func challengeValue(_ request: Request, _ context: Context, insufficientScope: Bool = false) -> String {
        let endpoint: RegistryEndpoint
        switch context.endpoint {
        case .registry(let parsed): endpoint = parsed
        case .invalid: return challenge.headerValue
        case .notRegistry: return challenge.outsideRegistryValue
        }
        var mountSource: RepositoryName?
        if case .startUpload = endpoint, request.uri.queryParameters.get("mount") != nil,
           let from = request.uri.queryParameters.get("from") {
            mountSource = RepositoryName(from)
        }
        return challenge.headerValue(endpoint: endpoint, method: request.method.rawValue, mountSource: mountSource,
                                     insufficientScope: insufficientScope)
    }
}
