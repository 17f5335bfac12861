/// `extensions.scrub`: periodic integrity checks of every blob and manifest.
public struct ScrubExtensionConfig: Sendable, Hashable {
    /// `enable`: default true when the section is present (as Zot).
    public var enable: Bool
    /// `interval` as written (Zot's default `24h`).
    public var interval: String
    /// `interval` in seconds, at least Zot's minimum of 2 hours (a shorter one is raised to 2 h with a notice).
    public var intervalSeconds: Double

    /// Zot's minimum scrub interval.
    public static let minimumIntervalSeconds: Double = 2 * 3600

    public init(enable: Bool = true, interval: String = "24h", intervalSeconds: Double = 24 * 3600) {
        self.enable = enable
        self.interval = interval
        self.intervalSeconds = intervalSeconds
    }
}

/// `extensions.lint`: manifests pushed without mandatory annotations are refused.
public struct LintExtensionConfig: Sendable, Hashable {
    /// `enable`: default true when the section is present (as Zot).
    public var enable: Bool
    /// `mandatoryAnnotations`: keys an image manifest's annotations (or its config's labels) must carry.
    public var mandatoryAnnotations: [String]

    public init(enable: Bool = true, mandatoryAnnotations: [String] = []) {
        self.enable = enable
        self.mandatoryAnnotations = mandatoryAnnotations
    }
}
