/// Why a repository glob pattern was rejected.
///
/// The description names the pattern, what is wrong, and the 1-based character position, e.g.
/// `invalid glob "team-[a/**": '[' at character 6 is never closed; add ']' or escape it as '\['`.
public struct GlobError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written in the config.
    public let pattern: String
    /// 1-based position (in Unicode scalars) of the offending character; `nil` when the whole pattern is at fault.
    public let position: Int?
    /// What is wrong, without the pattern or position.
    public let reason: String

    /// Creates an error for `pattern`, pointing at `position` (1-based) when known.
    public init(pattern: String, position: Int?, reason: String) {
        self.pattern = pattern
        self.position = position
        self.reason = reason
    }

    public var description: String {
        "invalid glob \"\(pattern)\": \(reason)"
    }
}
