/// `extensions.sync` (Zot's keys): mirror and pull-through cache of upstream registries.
public struct SyncConfig: Sendable, Hashable {
    /// `enable`: default true when the section is present (as in Zot).
    public var enable: Bool = true
    /// `credentialsFile`: JSON `host[:port]` → `{username, password}`; re-read when it changes.
    public var credentialsFile: String?
    /// `downloadDir`: where blobs are staged while they download; nil streams straight into storage uploads.
    public var downloadDir: String?
    /// `maxDownloadBytes` (zot-authz): bytes that in-flight upstream downloads may hold at once. Default 8 GiB.
    public var maxDownloadBytes: Int64 = 8 << 30
    /// `registries`: upstreams, tried in order for on-demand pulls.
    public var registries: [SyncRegistryConfig] = []

    public init() {}
}

/// One `extensions.sync.registries[]` entry.
public struct SyncRegistryConfig: Sendable, Hashable {
    /// `urls`: `http(s)://host[:port]`, tried in order.
    public var urls: [String] = []
    /// `onDemand`: fetch missing content when a client asks for it. Default false.
    public var onDemand = false
    /// `pollInterval`: seconds between periodic mirror runs; nil means no periodic sync.
    public var pollIntervalSeconds: Double?
    /// `tlsVerify`: default true.
    public var tlsVerify = true
    /// `certDir`: `ca.crt` / `*.crt` trusted roots, `*.cert` + `*.key` client pair (containers' certs.d layout).
    public var certDir: String?
    /// `maxRetries`: retries after the first attempt. Default 3 (regclient's, which Zot uses when unset).
    public var maxRetries = 3
    /// `retryDelay`: first backoff in seconds. Default 1 s.
    public var retryDelaySeconds: Double = 1
    /// `maxRetryDelay`: backoff cap; when unset it equals `retryDelay` (fixed delay), as in Zot.
    public var maxRetryDelaySeconds: Double?
    /// `syncTimeout`: bound on one sync operation (an on-demand image or a periodic run's image). Default 3h.
    public var syncTimeoutSeconds: Double = 3 * 3600
    /// `manifestCheckInterval`: an on-demand tag verified upstream less than this long ago is served locally; 0
    /// (default) re-checks with a HEAD on every pull.
    public var manifestCheckIntervalSeconds: Double = 0
    /// `onlySigned`: refuse images without a cosign `.sig` tag or a signature referrer. Default false.
    public var onlySigned = false
    /// `syncLegacyCosignTags`: also fetch `sha256-<hex>.sig`/`.sbom`/`.att` tags. Default true.
    public var syncLegacyCosignTags = true
    /// `preserveDigest`: images are always stored with their upstream digest (no Docker → OCI conversion).
    public var preserveDigest = true
    /// `reqConcurrent`: in-flight requests per upstream host. Default 3 (regclient's).
    public var reqConcurrent = 3
    /// `reqPerSec`: request rate per upstream host; nil means unlimited.
    public var reqPerSec: Double?
    /// `disableHTTP2`: force HTTP/1.1 to the upstream.
    public var disableHTTP2 = false
    /// `maxIdleConnsPerHost`: idle connections kept per host; nil keeps the client's default.
    public var maxIdleConnsPerHost: Int?
    /// `content`: which repositories and tags, and where they land locally; empty means every repository, same name.
    public var content: [SyncContentConfig] = []

    public init() {}

    /// The backoff cap in seconds (`maxRetryDelay`, else `retryDelay`).
    public var effectiveMaxRetryDelaySeconds: Double { maxRetryDelaySeconds ?? retryDelaySeconds }
}

/// One `content[]` rule.
public struct SyncContentConfig: Sendable, Hashable {
    /// `prefix`: a doublestar glob over upstream names (a leading `/` is ignored).
    public var prefix: String
    /// `destination`: local namespace the names land under.
    public var destination: String?
    /// `stripPrefix`: drop the prefix's static part from the local name.
    public var stripPrefix = false
    /// `tags`: filters for periodic sync.
    public var tags: SyncTagsConfig?
    /// `allowTagUpdates` (zot-authz): whether an upstream that moved a tag to another digest may overwrite the
    /// cached tag. Default false: the cached image is kept and the change is logged and counted.
    public var allowTagUpdates = false

    public init(prefix: String, destination: String? = nil, stripPrefix: Bool = false, tags: SyncTagsConfig? = nil,
                allowTagUpdates: Bool = false) {
        self.prefix = prefix
        self.destination = destination
        self.stripPrefix = stripPrefix
        self.tags = tags
        self.allowTagUpdates = allowTagUpdates
    }
}

/// `content[].tags`.
public struct SyncTagsConfig: Sendable, Hashable {
    /// `regex`: keep tags it matches (unanchored, as Go's `MatchString`).
    public var regex: String?
    /// `excludeRegex`: drop tags it matches.
    public var excludeRegex: String?
    /// `semver`: keep only semantic-version tags.
    public var semver: Bool?

    public init(regex: String? = nil, excludeRegex: String? = nil, semver: Bool? = nil) {
        self.regex = regex
        self.excludeRegex = excludeRegex
        self.semver = semver
    }
}
