import Foundation

/// One issuer's discovery document and key cache, fetched on first use and shared by every caller.
///
/// A failed discovery is retried at most once per `retryInterval`; in between, callers get the remembered
/// error at once, so tokens naming a configured issuer cannot make us hammer a provider that is down.
actor OIDCIssuerContext {
    /// The configured issuer.
    nonisolated let issuer: String
    private let http: any OIDCHTTPClient
    private let retryInterval: TimeInterval
    private let now: @Sendable () -> Date
    private var discovered: (metadata: OIDCProviderMetadata, keys: JWKSKeyCache)?
    private var lastFailure: (at: Date, error: OIDCError)?
    private var inFlight: Task<Result<OIDCProviderMetadata, OIDCError>, Never>?

    init(issuer: String, http: any OIDCHTTPClient, retryInterval: Duration = .seconds(10), now: @escaping @Sendable () -> Date = { Date() }) {
        self.issuer = issuer
        self.http = http
        self.retryInterval = retryInterval.timeInterval
        self.now = now
    }

    /// The provider metadata and its key cache, discovering them on first use.
    func resolve() async throws(OIDCError) -> (metadata: OIDCProviderMetadata, keys: JWKSKeyCache) {
        if let discovered { return discovered }
        if inFlight == nil, let lastFailure, now().timeIntervalSince(lastFailure.at) < retryInterval {
            throw lastFailure.error
        }
        let task: Task<Result<OIDCProviderMetadata, OIDCError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let (issuer, http) = (self.issuer, self.http)
            task = Task {
                let result: Result<OIDCProviderMetadata, OIDCError>
                do throws(OIDCError) { result = .success(try await OIDCProviderMetadata.discover(issuer: issuer, http: http)) } catch {
                    result = .failure(error)
                }
                self.finish(result)
                return result
            }
            inFlight = task
        }
        _ = try await task.value.get()
        guard let discovered else { throw lastFailure?.error ?? .discovery("discovery did not complete") }
        return discovered
    }

    private func finish(_ result: Result<OIDCProviderMetadata, OIDCError>) {
        inFlight = nil
        switch result {
        case .success(let metadata):
            if discovered == nil {
                discovered = (metadata, JWKSKeyCache(jwksURI: metadata.jwksURI, http: http, now: now))
            }
            lastFailure = nil
        case .failure(let error):
            lastFailure = (now(), error)
        }
    }
}
