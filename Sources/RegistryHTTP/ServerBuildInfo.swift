/// What the running binary is, as `zot-authz --version` prints it and `zot_info` exports it.
public struct ServerBuildInfo: Sendable, Equatable {
    /// The release version (`0.5.0`, or `…-dev`).
    public var version: String
    /// The git commit the binary was built from (`unknown` for a development build).
    public var commit: String
    /// The Swift compiler that built it (exported in Zot's `goVersion` label).
    public var swiftVersion: String
    /// Exported in Zot's `binaryType` label (Zot writes its build flavour there).
    public var binaryType: String

    public init(version: String, commit: String, swiftVersion: String, binaryType: String = "zot-authz") {
        self.version = version
        self.commit = commit
        self.swiftVersion = swiftVersion
        self.binaryType = binaryType
    }

    /// A binary whose build was not stamped (in-process tests).
    public static let unknown = ServerBuildInfo(version: "unknown", commit: "unknown", swiftVersion: "unknown")
}
