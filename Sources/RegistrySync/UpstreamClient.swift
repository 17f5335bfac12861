import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import RegistryConfig
import RegistryCore

/// Why an upstream request failed; `description` never holds a credential or token.
public enum UpstreamError: Error, Sendable, CustomStringConvertible, Equatable {
    /// 404, or 401/403 for an unknown repository (Docker Hub answers 401 for names it does not have).
    case notFound(String)
    /// The upstream refused our credentials.
    case unauthorized(String)
    /// 429 after the retries.
    case rateLimited(String)
    /// Connection failures, timeouts, 5xx after the retries, malformed answers.
    case unavailable(String)
    /// The content does not match its digest, is too large or violates the mapping's rules.
    case rejected(String)

    public var description: String {
        switch self {
        case .notFound(let why): "not found upstream: \(why)"
        case .unauthorized(let why): "upstream refused the credentials: \(why)"
        case .rateLimited(let why): "rate-limited by the upstream: \(why)"
        case .unavailable(let why): "upstream unavailable: \(why)"
        case .rejected(let why): "upstream content rejected: \(why)"
        }
    }
}

/// An upstream answer whose body has not been read yet.
struct UpstreamResponse {
    let status: Int
    let headers: HTTPHeaders
    let body: HTTPClientResponse.Body
}

/// A client for one upstream URL: anonymous, Basic from the credentials file, or the Docker token flow (a Bearer
/// challenge → the realm with service and scope → a token cached until it expires); retries with backoff; at most
/// `reqConcurrent` requests in flight and `reqPerSec` started per second. Credentials and tokens are never logged.
public final class UpstreamClient: Sendable {
    public let endpoint: UpstreamEndpoint
    let http: HTTPClient
    private let limiter: RequestLimiter
    private let retry: RetryPolicy
    private let credentials: CredentialsFileSource
    private let tokens = UpstreamTokenCache()
    private let timeout: TimeAmount
    private let logger: Logger
    /// Largest manifest or JSON answer read (4 MiB, Distribution's manifest limit).
    static let maximumDocumentSize = 4 << 20

    init(endpoint: UpstreamEndpoint, http: HTTPClient, settings: SyncRegistryConfig, credentials: CredentialsFileSource, logger: Logger) {
        self.endpoint = endpoint
        self.http = http
        self.limiter = RequestLimiter(concurrent: settings.reqConcurrent, perSecond: settings.reqPerSec)
        self.retry = RetryPolicy(maxRetries: settings.maxRetries, firstDelay: settings.retryDelaySeconds,
                                 maximumDelay: settings.effectiveMaxRetryDelaySeconds)
        self.credentials = credentials
        self.timeout = .nanoseconds(Int64(min(settings.syncTimeoutSeconds, 86_400) * 1e9))
        self.logger = logger
    }

    /// Sends a request (with retries and authentication) and hands the answer to `consume` while the request's
    /// concurrency slot is held; `consume` reads the body.
    func perform<T>(_ method: HTTPMethod, _ path: String, accept: [String] = [], scope: String, retrying: Bool = true,
                    consume: (UpstreamResponse) async throws -> T) async throws -> T {
        var attempt = 0
        let maxRetries = retrying ? retry.maxRetries : 0
        while true {
            do {
                return try await performOnce(method, path, accept: accept, scope: scope, consume: consume)
            } catch let error as UpstreamError {
                switch error {
                case .unavailable, .rateLimited:
                    attempt += 1
                    guard attempt <= maxRetries else { throw error }
                    let delay = retry.delay(beforeRetry: attempt)
                    logger.warning("upstream request failed, retrying", metadata: [
                        "upstream": "\(endpoint)", "path": "\(path)", "retry": "\(attempt)", "delay": "\(delay)s", "reason": "\(error)"])
                    try await Task.sleep(for: .seconds(delay))
                default:
                    throw error
                }
            }
        }
    }

    private func performOnce<T>(_ method: HTTPMethod, _ path: String, accept: [String], scope: String,
                                consume: (UpstreamResponse) async throws -> T) async throws -> T {
        await limiter.acquire()
        do {
            let result = try await authorized(method, path, accept: accept, scope: scope, consume: consume)
            await limiter.release()
            return result
        } catch {
            await limiter.release()
            throw error
        }
    }

    private func authorized<T>(_ method: HTTPMethod, _ path: String, accept: [String], scope: String,
                               consume: (UpstreamResponse) async throws -> T) async throws -> T {
        var authorization = try await knownAuthorization(scope: scope)
        for round in 0..<2 {
            let response = try await send(method, endpoint.base + path, accept: accept, authorization: authorization)
            if response.status == 401 && round == 0 {
                _ = try? await response.body.collect(upTo: 64 << 10)
                guard let header = response.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge.parse(header) else {
                    throw UpstreamError.unauthorized("401 without a Basic or Bearer challenge")
                }
                await tokens.remember(challenge, for: endpoint.base)
                authorization = try await self.authorization(for: challenge, scope: scope)
                continue
            }
            return try await consume(response)
        }
        throw UpstreamError.unauthorized("refused after authenticating")
    }

    /// What to send up front: the cached token for the scope, or Basic when the upstream asked for Basic before.
    private func knownAuthorization(scope: String) async throws -> String? {
        guard let challenge = await tokens.challenge(for: endpoint.base) else { return nil }
        switch challenge.scheme {
        case .basic: return basicAuthorization()
        case .bearer:
            return await tokens.token(tokenKey(challenge, scope: scope)).map { "Bearer \($0)" }
        }
    }

    private func authorization(for challenge: AuthChallenge, scope: String) async throws -> String? {
        switch challenge.scheme {
        case .basic:
            guard let basic = basicAuthorization() else { throw UpstreamError.unauthorized("Basic challenge and no login for \(endpoint.host) in the credentials file") }
            return basic
        case .bearer:
            let key = tokenKey(challenge, scope: scope)
            if let token = await tokens.token(key) { return "Bearer \(token)" }
            let (token, lifetime) = try await fetchToken(challenge, scope: scope)
            await tokens.store(token, key: key, lifetime: lifetime)
            return "Bearer \(token)"
        }
    }

    private func tokenKey(_ challenge: AuthChallenge, scope: String) -> String {
        "\(challenge.realm ?? "")|\(challenge.service ?? "")|\(scope)"
    }

    func login() -> UpstreamCredentials.Login? {
        let current = credentials.current()
        return endpoint.credentialKeys.lazy.compactMap { current.login(host: $0.host, port: $0.port) }.first
    }

    private func basicAuthorization() -> String? {
        login().map { "Basic " + Data("\($0.username):\($0.password)".utf8).base64EncodedString() }
    }

    /// The token endpoint: `GET realm?service=…&scope=…`, with Basic when a login is filed; `{"token"|"access_token",
    /// "expires_in"}` back.
    private func fetchToken(_ challenge: AuthChallenge, scope: String) async throws -> (String, Double) {
        guard let realm = challenge.realm, var components = URLComponents(string: realm),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw UpstreamError.unauthorized("the Bearer challenge has no usable realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: scope))
        components.queryItems = query
        guard let url = components.string else { throw UpstreamError.unauthorized("the token realm is not a URL") }
        let response = try await send(.GET, url, accept: ["application/json"], authorization: basicAuthorization())
        let body = try await Self.collect(response.body, limit: 1 << 20)
        guard response.status == 200 else {
            if response.status == 401 || response.status == 403 { throw UpstreamError.unauthorized("the token service answered \(response.status)") }
            throw UpstreamError.unavailable("the token service answered \(response.status)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let token = (object["token"] as? String) ?? (object["access_token"] as? String), !token.isEmpty else {
            throw UpstreamError.unavailable("the token service's answer holds no token")
        }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 60
        return (token, max(1, lifetime))
    }

    /// One HTTP exchange; connection failures become ``UpstreamError/unavailable``, 5xx and 429 too (retryable).
    func send(_ method: HTTPMethod, _ url: String, accept: [String], authorization: String?) async throws -> UpstreamResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for type in accept { request.headers.add(name: "Accept", value: type) }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.headers.add(name: "User-Agent", value: "zot-authz-sync")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + timeout)
        } catch {
            throw UpstreamError.unavailable("\(method) \(Self.redactedURL(url)): \(error)")
        }
        let status = Int(response.status.code)
        if status == 429 || status >= 500 {
            _ = try? await response.body.collect(upTo: 64 << 10)
            let why = "\(method) \(Self.redactedURL(url)) answered \(status)"
            throw status == 429 ? UpstreamError.rateLimited(why) : UpstreamError.unavailable(why)
        }
        return UpstreamResponse(status: status, headers: response.headers, body: response.body)
    }

    static func collect(_ body: HTTPClientResponse.Body, limit: Int) async throws -> [UInt8] {
        do {
            return Array(buffer: try await body.collect(upTo: limit))
        } catch {
            throw UpstreamError.rejected("answer larger than \(limit) bytes or cut: \(error)")
        }
    }

    /// The URL without its query (token realms carry no secret there, but scopes make logs long).
    static func redactedURL(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}
