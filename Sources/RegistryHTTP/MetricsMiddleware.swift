import Hummingbird
import HTTPTypes
import NIOCore
import Prometheus
import RegistryCore

/// Outermost stage when metrics are enabled: counts every request by method, route template and final
/// status (errors included, as rendered), times it until its response body has been written, and counts
/// pushed and pulled content bytes as they flow (so an aborted transfer counts what actually moved).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let metrics: RegistryMetrics
    /// Where `/metrics` is served (its requests get the `metrics` route label).
    let metricsPath: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = MetricsRoute.classify(path: request.uri.path, endpoint: context.endpoint, metricsPath: metricsPath)
        let method = MetricsRoute.methodLabel(request.method)
        var request = request
        if let kind = route.uploadKind(request.method), let counter = metrics.uploadCounter(kind) {
            request.body = RequestBody(asyncSequence: ByteCountingSequence(base: request.body, counter: counter))
        }
        let metrics = metrics
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.countRequest(method: method, route: route, status: status)
            Self.finished(metrics, start: start, method: method, route: route, status: status,
                          repository: Self.latencyRepository(context.endpoint, status: status))()
            throw error
        }
        let status = response.status.code
        metrics.countRequest(method: method, route: route, status: status)
        Self.countContent(metrics, request: request, endpoint: context.endpoint, status: status)
        let finished = Self.finished(metrics, start: start, method: method, route: route, status: status,
                                     repository: Self.latencyRepository(context.endpoint, status: status))
        let downloads = route.downloadKind(request.method, status: status).flatMap { metrics.downloadCounter($0) }
        response.body = Self.observing(response.body, counting: downloads, whenWritten: finished)
        return response
    }

    /// Records the request's duration in our histogram and, except for the metrics path (as Zot does), in Zot's
    /// request counter and method latency histogram.
    static func finished(_ metrics: RegistryMetrics, start: ContinuousClock.Instant, method: String, route: MetricsRoute,
                         status: Int, repository: String?) -> @Sendable () -> Void {
        {
            let duration = start.duration(to: .now)
            metrics.observeDuration(duration, method: method, route: route)
            if route != .metrics {
                metrics.zot.countRequest(method: method, status: status, duration: duration, repository: repository)
            }
        }
    }

    /// The repository Zot's `zot_http_repo_latency_seconds` files a request under: the one named by a
    /// `/v2/<repo>/blobs|tags|manifests/…` path (uploads are under blobs), else none (`N/A`). Unlike Zot, a request
    /// that failed (4xx/5xx: denied, unknown name) is filed under `N/A`, so names nobody may use — a flood of
    /// random ones — never take the bounded set of `repo` series.
    static func latencyRepository(_ endpoint: ParsedEndpoint, status: Int) -> String? {
        guard status < 400, case .registry(let registry) = endpoint else { return nil }
        switch registry {
        case .tagsList(let name), .manifest(let name, _), .blob(let name, _), .startUpload(let name), .upload(let name, _):
            return name.value
        case .base, .catalog, .referrers:
            return nil
        }
    }

    /// Zot's per-repository download and upload counters: a manifest served (GET or HEAD) or stored.
    static func countContent(_ metrics: RegistryMetrics, request: Request, endpoint: ParsedEndpoint, status: Int) {
        guard case .registry(.manifest(let repository, _)) = endpoint else { return }
        if (request.method == .get || request.method == .head) && status == 200 {
            metrics.zot.countDownload(repository.value)
        } else if request.method == .put && status == 201 {
            metrics.zot.countUpload(repository.value)
        }
    }

    /// `body` with the same length, adding every written byte to `counter` and calling `whenWritten` once
    /// the body has been written or has failed.
    static func observing(_ body: ResponseBody, counting counter: Counter?, whenWritten: @escaping @Sendable () -> Void) -> ResponseBody {
        ResponseBody(contentLength: body.contentLength) { writer in
            do {
                if let counter {
                    try await body.write(ByteCountingWriter(parent: writer, counter: counter))
                } else {
                    try await body.write(writer)
                }
                whenWritten()
            } catch {
                whenWritten()
                throw error
            }
        }
    }
}

/// A request body that adds the size of each chunk to a counter as the handler reads it.
struct ByteCountingSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let counter: Counter

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let counter: Counter

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            counter.increment(by: Int64(buffer.readableBytes))
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), counter: counter)
    }
}

/// A response body writer that adds the size of each written buffer to a counter.
struct ByteCountingWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let counter: Counter

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await parent.write(buffer)
        counter.increment(by: Int64(buffer.readableBytes))
    }

    mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
        for buffer in buffers {
            try await write(buffer)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.finish(trailingHeaders)
    }
}
