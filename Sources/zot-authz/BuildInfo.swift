import RegistryApp

/// What `zot-authz --version` prints. `scripts/build-release.sh` stamps `commit` and `date` into this file for the
/// build and restores it afterwards; a development build says `unknown`.
enum BuildInfo {
    static let version = "0.5.0-dev"
    static let commit = "unknown"
    static let date = "unknown"

    /// The Swift compiler that built the binary.
    static var swiftVersion: String {
        #if compiler(>=6.4)
        "6.4 or later"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "older than 6.2"
        #endif
    }

    /// One line: version, commit, build date, Swift version.
    static var line: String {
        "zot-authz \(version) (commit \(commit), built \(date), Swift \(swiftVersion))"
    }

    /// The same facts for the server (`zot_info`).
    static var server: ServerBuildInfo {
        ServerBuildInfo(version: version, commit: commit, swiftVersion: swiftVersion)
    }
}
