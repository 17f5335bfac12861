import RegistryPolicy

/// A validated Zot configuration (the subset zot-authz implements, typed).
public struct ZotConfig: Sendable, Hashable {
    /// `distSpecVersion`: informational.
    public var distSpecVersion: String?
    /// `http`: listener, TLS, authentication and authorization.
    public var http: HTTPConfig
    /// `storage`: where and how blobs and manifests are kept.
    public var storage: StorageConfig
    /// `log`: level and destinations.
    public var log: LogConfig
    /// `extensions`: only `metrics` is acted on; the others are accepted.
    public var extensions: ExtensionsConfig
    /// Things worth knowing that do not make the config invalid (e.g. Zot keys accepted but ignored).
    public var notices: [ConfigProblem]

    public init(distSpecVersion: String? = nil, http: HTTPConfig = HTTPConfig(), storage: StorageConfig,
                log: LogConfig = LogConfig(), extensions: ExtensionsConfig = ExtensionsConfig(), notices: [ConfigProblem] = []) {
        self.distSpecVersion = distSpecVersion
        self.http = http
        self.storage = storage
        self.log = log
        self.extensions = extensions
        self.notices = notices
    }
}

/// `http`: where to listen and who may do what.
public struct HTTPConfig: Sendable, Hashable {
    /// Listen address: an IP address or host name. Default `127.0.0.1`.
    public var address: String
    /// Listen port, 1-65535 (Zot writes it as a string; both are accepted). Default 5000.
    public var port: Int
    /// Realm in `WWW-Authenticate` challenges. Default `zot-authz`.
    public var realm: String
    /// `externalUrl`: the URL clients use, when behind a proxy.
    public var externalUrl: String?
    /// TLS server settings; `tls.cacert` turns on client-certificate verification.
    public var tls: TLSConfig?
    /// Authentication methods.
    public var auth: AuthConfig?
    /// Authorization rules; nil means Zot's behaviour without `accessControl`.
    public var accessControl: AccessControl?
    /// Request rate limits.
    public var ratelimit: RateLimitConfig?
    /// `trustedProxies` (zot-authz extension): IPs/CIDRs whose `X-Forwarded-For` is believed.
    public var trustedProxies: [String]
    /// `readTimeout`, `writeTimeout` (Zot's), `idleTimeout` and `shutdownTimeout` (ours), in seconds.
    public var timeouts = HTTPTimeouts()

    public init(address: String = "127.0.0.1", port: Int = 5000, realm: String = "zot-authz", externalUrl: String? = nil,
                tls: TLSConfig? = nil, auth: AuthConfig? = nil, accessControl: AccessControl? = nil,
                ratelimit: RateLimitConfig? = nil, trustedProxies: [String] = []) {
        self.address = address
        self.port = port
        self.realm = realm
        self.externalUrl = externalUrl
        self.tls = tls
        self.auth = auth
        self.accessControl = accessControl
        self.ratelimit = ratelimit
        self.trustedProxies = trustedProxies
    }
}

/// `http.tls`: server certificate and key (PEM paths), and the CA that verifies client certificates.
public struct TLSConfig: Sendable, Hashable {
    public var cert: String?
    public var key: String?
    /// `cacert`: when set, client certificates signed by this CA are verified (mTLS).
    public var cacert: String?

    public init(cert: String? = nil, key: String? = nil, cacert: String? = nil) {
        self.cert = cert
        self.key = key
        self.cacert = cacert
    }
}

/// `http.ratelimit`: requests per second, overall and per HTTP method.
public struct RateLimitConfig: Sendable, Hashable {
    /// Requests per second for all methods, if limited.
    public var rate: Double?
    /// Per-method limits, which take precedence over `rate`.
    public var methods: [MethodRateLimit]

    public init(rate: Double? = nil, methods: [MethodRateLimit] = []) {
        self.rate = rate
        self.methods = methods
    }
}

/// One entry of `http.ratelimit.methods`.
public struct MethodRateLimit: Sendable, Hashable {
    /// Upper-case HTTP method, e.g. `GET`.
    public var method: String
    /// Requests per second.
    public var rate: Double

    public init(method: String, rate: Double) {
        self.method = method
        self.rate = rate
    }
}

/// `log`.
public struct LogConfig: Sendable, Hashable {
    /// How server log lines are written (`log.format`, a zot-authz addition; Zot always writes JSON).
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// One JSON object per line (the default, as Zot).
        case json
        /// Human-readable text lines.
        case text
    }

    /// `debug`, `info`, `warn` or `error`. Default `info`.
    public var level: String
    /// File to log to; standard output when nil.
    public var output: String?
    /// File for the audit log, if any.
    public var audit: String?
    /// `json` (default) or `text`.
    public var format: Format

    public init(level: String = "info", output: String? = nil, audit: String? = nil, format: Format = .json) {
        self.level = level
        self.output = output
        self.audit = audit
        self.format = format
    }
}
