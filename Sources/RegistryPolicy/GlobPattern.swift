/// A repository glob from `accessControl.repositories`, with Zot's (doublestar) semantics.
///
/// - `*` matches any run of characters within one `/`-separated segment.
/// - `**` as a whole segment matches zero or more segments: `a/**` matches `a`, `a/b` and `a/b/c`;
///   `**/x` matches `x` and `a/b/x`; `**` alone matches every name. Elsewhere `**` acts as `*`.
/// - `?` matches one character other than `/`.
/// - `[abc]`, `[a-z]`, `[!a-z]`, `[^a-z]` match one character (never `/`) in / not in the class.
/// - `{a,b}` matches either alternative; braces nest (`{x,y{1,2}}`).
/// - `\c` matches `c` literally.
///
/// Compiled once; `matches` allocates nothing and runs in O(pattern × name).
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern exactly as written.
    public let pattern: String
    /// How many wildcard constructs (`*`, `**`, `?`, `[...]`, `{...}`) the pattern contains; fewer is more specific.
    public let wildcardCount: Int
    /// The compiled brace alternatives; a name matches when any of them does.
    let programs: [GlobProgram]

    /// Compiles `pattern`, throwing a `GlobError` that points at the offending character.
    public init(_ pattern: String) throws(GlobError) {
        var parser = GlobParser(pattern)
        let parsed = try parser.parse()
        self.pattern = pattern
        self.wildcardCount = parsed.wildcardCount
        self.programs = parsed.alternatives.map(GlobProgram.init)
    }

    /// Whether `name` (a repository name such as `team-a/app`) matches the whole pattern.
    public func matches(_ name: String) -> Bool {
        if let result = name.utf8.withContiguousStorageIfAvailable({ matches(utf8: $0) }) { return result }
        return Array(name.utf8).withUnsafeBufferPointer { matches(utf8: $0) }
    }

    /// Whether the UTF-8 bytes of a name match.
    func matches(utf8 name: UnsafeBufferPointer<UInt8>) -> Bool {
        for program in programs where program.matches(name) { return true }
        return false
    }

    public var description: String { pattern }

    public static func == (lhs: GlobPattern, rhs: GlobPattern) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
