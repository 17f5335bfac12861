import Foundation
import Hummingbird
import Logging
import Synchronization

/// The requests being served right now (from arrival until their response body has been written), so a shutdown
/// can say how many it waits for and name each one it had to cut.
public final class InFlightRequests: Sendable {
    /// One request in flight.
    public struct Entry: Sendable, Equatable {
        public var method: String
        public var path: String
        public var started: ContinuousClock.Instant

        /// How long it has been running, in seconds with one decimal (for log lines).
        public var runningSeconds: String {
            let elapsed = started.duration(to: .now)
            let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            return String(format: "%.1f", Double(milliseconds) / 1000)
        }
    }

    private struct State {
        var next: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// How many requests are in flight.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The requests in flight, oldest first.
    public var entries: [Entry] { state.withLock { Array($0.entries.values) }.sorted { $0.started < $1.started } }

    func begin(method: String, path: String) -> UInt64 {
        state.withLock { state in
            state.next += 1
            state.entries[state.next] = Entry(method: method, path: path, started: .now)
            return state.next
        }
    }

    func end(_ id: UInt64) -> Entry? {
        state.withLock { $0.entries.removeValue(forKey: id) }
    }
}

/// Outermost stage: tracks every request in ``InFlightRequests`` until its response body has been written. A request
/// that ends because its task was cancelled — the server gave up draining at shutdown — is logged as cut, with its
/// method, path (never the query) and how long it had run.
struct InFlightMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let requests: InFlightRequests

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = requests.begin(method: request.method.rawValue, path: request.uri.path)
        let requests = requests
        let logger = context.logger
        let finished: @Sendable () -> Void = {
            guard let entry = requests.end(id), Task.isCancelled else { return }
            logger.warning("request cut by shutdown", metadata: [
                "method": "\(entry.method)", "path": "\(entry.path)", "runningSeconds": "\(entry.runningSeconds)",
            ])
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            finished()
            throw error
        }
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
                finished()
            } catch {
                finished()
                throw error
            }
        }
        return response
    }
}
