import Foundation

/// A provider's signing keys (JWKS), fetched lazily and cached.
///
/// Refresh rules:
/// - the first use fetches the set; a set older than `maximumAge` is fetched again on the next use;
/// - a token whose `kid` is not in the set triggers a refetch (key rotation), but fetches — successful or
///   not — happen at most once per `minimumRefreshInterval`, so a flood of tokens with made-up key ids
///   cannot make us hammer the provider;
/// - concurrent callers share one fetch;
/// - when a refetch fails, the keys already held keep being used (the provider may be briefly down); an error
///   is thrown only when no key set was ever obtained, or when an unknown `kid` could not be looked up.
public actor JWKSKeyCache {
    /// Where the keys are fetched from.
    public nonisolated let jwksURI: String
    /// How many fetches were started (successful or not), for diagnostics.
    public private(set) var fetchCount = 0

    /// The most keys read from one set; any further ones are ignored.
    static let maximumKeys = 64

    private let http: any OIDCHTTPClient
    private let minimumRefreshInterval: TimeInterval
    private let maximumAge: TimeInterval
    private let now: @Sendable () -> Date
    private var cachedKeys: [JWKSKey] = []
    private var fetchedAt: Date?
    private var lastAttempt: Date?
    private var lastError: OIDCError?
    private var inFlight: Task<Result<Void, OIDCError>, Never>?

    /// Creates an empty cache; nothing is fetched until ``keys(for:)`` is called.
    public init(jwksURI: String, http: any OIDCHTTPClient, minimumRefreshInterval: Duration = .seconds(2),
                maximumAge: Duration = .seconds(3600), now: @escaping @Sendable () -> Date = { Date() }) {
        self.jwksURI = jwksURI
        self.http = http
        self.minimumRefreshInterval = minimumRefreshInterval.timeInterval
        self.maximumAge = maximumAge.timeInterval
        self.now = now
    }

    /// The keys that may have signed a token with key id `kid` (all keys when `kid` is `nil`), fetching or
    /// refreshing the set as described on the type. An empty answer means no such key is published.
    public func keys(for kid: String?) async throws(OIDCError) -> [JWKSKey] {
        if fetchedAt == nil || age > maximumAge {
            if mayFetch {
                do { try await refresh() } catch where !cachedKeys.isEmpty {
                    // Keep using the keys we have; the error is remembered for the next empty-cache caller.
                }
            } else if let inFlight {
                _ = await inFlight.value
            } else if cachedKeys.isEmpty {
                throw lastError ?? .keySet("no key set fetched yet")
            }
        }
        if let kid, !cachedKeys.contains(where: { $0.kid == kid }) {
            if let inFlight {
                _ = await inFlight.value
            } else if mayFetch {
                try await refresh()
            }
        }
        guard let kid else { return cachedKeys }
        return cachedKeys.filter { $0.kid == kid }
    }

    private var age: TimeInterval {
        fetchedAt.map { now().timeIntervalSince($0) } ?? .infinity
    }

    private var mayFetch: Bool {
        guard inFlight == nil else { return false }
        guard let lastAttempt else { return true }
        return now().timeIntervalSince(lastAttempt) >= minimumRefreshInterval
    }

    /// Starts a fetch (or joins the running one) and applies its result to the cache.
    private func refresh() async throws(OIDCError) {
        if let inFlight {
            try await inFlight.value.get()
            return
        }
        lastAttempt = now()
        fetchCount += 1
        let (uri, http) = (jwksURI, self.http)
        let task = Task { () -> Result<Void, OIDCError> in
            let result = await Self.download(jwksURI: uri, http: http)
            switch result {
            case .success(let keys):
                self.cachedKeys = keys
                self.fetchedAt = self.now()
                self.lastError = nil
            case .failure(let error):
                self.lastError = error
            }
            self.inFlight = nil
            return result.map { _ in () }
        }
        inFlight = task
        try await task.value.get()
    }

    /// Fetches and parses the key set; unusable keys are skipped, a set without any usable key is an error.
    static func download(jwksURI: String, http: any OIDCHTTPClient) async -> Result<[JWKSKey], OIDCError> {
        let response: OIDCHTTPResponse
        do { response = try await http.get(jwksURI) } catch {
            return .failure(.unreachable("GET \(jwksURI): \(OIDCError.quote(String(describing: error), limit: 200))"))
        }
        guard response.status == 200 else { return .failure(.keySet("GET \(jwksURI) answered HTTP \(response.status)")) }
        guard let document = JSONValue.decodeObject(response.body), case .array(let entries)? = document["keys"] else {
            return .failure(.keySet("\(jwksURI) is not a JSON object with a 'keys' array"))
        }
        var keys: [JWKSKey] = []
        var problems: [String] = []
        for entry in entries.prefix(maximumKeys) {
            guard let jwk = entry.objectValue else {
                problems.append("an entry is not an object")
                continue
            }
            do { keys.append(try await JWKSKey.make(from: jwk)) } catch {
                problems.append("kid '\(OIDCError.quote(jwk["kid"]?.stringValue ?? "-"))': \(error.description)")
            }
        }
        guard !keys.isEmpty else {
            return .failure(.keySet("\(jwksURI) holds no usable signing key (\(problems.prefix(3).joined(separator: "; ")))"))
        }
        return .success(keys)
    }
}

extension Duration {
    /// This duration in seconds.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
