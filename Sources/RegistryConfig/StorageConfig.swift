import RegistryRetention

/// `storage`: the filesystem layout zot-authz serves.
public struct StorageConfig: Sendable, Hashable {
    /// Root of the OCI layout (relative paths are relative to the working directory).
    public var rootDirectory: String
    /// Deduplicate identical blobs. Default true.
    public var dedupe: Bool
    /// Keep uploaded manifests even when unreferenced (Zot's `commit`). Default false.
    public var commit: Bool
    /// Garbage collection. Default true.
    public var gc: Bool
    /// `gcDelay` as written (a Go duration such as `1h`).
    public var gcDelay: String?
    /// `gcDelay` in seconds.
    public var gcDelaySeconds: Double?
    /// `gcInterval` as written.
    public var gcInterval: String?
    /// `gcInterval` in seconds.
    public var gcIntervalSeconds: Double?
    /// `remoteCache`: accepted; the shared cache is not implemented.
    public var remoteCache: Bool
    /// `subPaths`: route prefix → storage for that prefix.
    public var subPaths: [String: StorageConfig]
    /// `storageDriver` with `name: s3`; nil for the filesystem driver.
    public var s3Driver: S3DriverSettings?
    /// `retention`, compiled (delay defaults to `gcDelay`, `deleteUntagged` to true).
    public var retention = RetentionSettings()
    /// `gcTimeWindow`: when periodic GC passes may start (nil: any time).
    public var gcTimeWindow: GCTimeWindow?

    public init(rootDirectory: String, dedupe: Bool = true, commit: Bool = false, gc: Bool = true,
                gcDelay: String? = nil, gcDelaySeconds: Double? = nil, gcInterval: String? = nil,
                gcIntervalSeconds: Double? = nil, remoteCache: Bool = false, subPaths: [String: StorageConfig] = [:]) {
        self.rootDirectory = rootDirectory
        self.dedupe = dedupe
        self.commit = commit
        self.gc = gc
        self.gcDelay = gcDelay
        self.gcDelaySeconds = gcDelaySeconds
        self.gcInterval = gcInterval
        self.gcIntervalSeconds = gcIntervalSeconds
        self.remoteCache = remoteCache
        self.subPaths = subPaths
        self.s3Driver = nil
    }
}

/// `extensions`: Zot's extension sections. All are accepted; `metrics`, `scrub`, `lint`, `ui` and `sync` are acted on.
public struct ExtensionsConfig: Sendable, Hashable {
    /// `extensions.metrics`, when present.
    public var metrics: MetricsExtensionConfig?
    /// `extensions.scrub`, when present.
    public var scrub: ScrubExtensionConfig?
    /// `extensions.lint`, when present.
    public var lint: LintExtensionConfig?
    /// `extensions.ui`, when present: the web console.
    public var ui: UIExtensionConfig?
    /// `extensions.sync`, when present (SyncConfig.swift).
    public var sync: SyncConfig?
    /// Names of the other extension sections present (accepted, not implemented), in file order.
    public var acceptedSections: [String]

    /// Every extension key Zot knows.
    public static let knownSections = ["search", "sync", "scrub", "metrics", "lint", "ui", "mgmt", "userprefs",
                                       "imagetrust", "trust", "apikey", "events"]

    public init(metrics: MetricsExtensionConfig? = nil, acceptedSections: [String] = []) {
        self.metrics = metrics
        self.acceptedSections = acceptedSections
    }
}

/// `extensions.metrics`.
public struct MetricsExtensionConfig: Sendable, Hashable {
    /// Default true when the section is present (as in Zot).
    public var enable: Bool
    /// `prometheus.path`. Default `/metrics`.
    public var path: String

    public init(enable: Bool = true, path: String = "/metrics") {
        self.enable = enable
        self.path = path
    }
}

/// `extensions.ui`: the web console at Zot's UI paths (`/`, `/login`, `/user/apikey`, browsing).
public struct UIExtensionConfig: Sendable, Hashable {
    /// Default true when the section is present (as in Zot).
    public var enable: Bool

    public init(enable: Bool = true) {
        self.enable = enable
    }
}
