/// A glob with the semantics of Go's `doublestar` (v4), as Zot's sync `content[].prefix` uses it: `*` matches within
/// one path component, `**` as a whole component matches zero or more components (`a/**` matches `a`), `?` one
/// character, `[...]`/`[^...]` a class, `{a,b}` alternatives, `\` escapes.
public struct DoublestarPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let alternatives: [[[Unicode.Scalar]]]

    /// Parses `text`; nil when it is malformed (an unclosed `[` or `{`, a trailing `\`).
    public init?(_ text: String) {
        guard let expanded = Self.expandBraces(Array(text.unicodeScalars)) else { return nil }
        var alternatives: [[[Unicode.Scalar]]] = []
        for alternative in expanded {
            guard Self.classesAreClosed(alternative) else { return nil }
            alternatives.append(alternative.split(separator: "/", omittingEmptySubsequences: false).map(Array.init))
        }
        self.text = text
        self.alternatives = alternatives
    }

    public var description: String { text }

    /// Whether `name` matches the whole pattern.
    public func matches(_ name: String) -> Bool {
        let segments = Array(name.unicodeScalars).split(separator: "/", omittingEmptySubsequences: false).map(Array.init)
        return alternatives.contains { Self.match($0[...], segments[...]) }
    }

    /// Go doublestar's `SplitPattern`: everything before the last `/` that precedes the first meta character, and the
    /// rest (`"zot-fold/*"` → `("zot-fold", "*")`, `"**/"` → `(".", "**/")`).
    public static func split(_ pattern: String) -> (base: String, rest: String) {
        let scalars = Array(pattern.unicodeScalars)
        var splitIndex = -1
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                index += 1
            } else if scalar == "/" {
                splitIndex = index
            } else if "*?[{".unicodeScalars.contains(scalar) {
                break
            }
            index += 1
        }
        func string(_ slice: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(slice)) }
        if splitIndex == 0 { return ("/", string(scalars[1...])) }
        if splitIndex > 0 { return (string(scalars[..<splitIndex]), string(scalars[(splitIndex + 1)...])) }
        return (".", pattern)
    }

    // MARK: Matching

    private static func match(_ pattern: ArraySlice<[Unicode.Scalar]>, _ name: ArraySlice<[Unicode.Scalar]>) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        if first == ["*", "*"] {
            let rest = pattern.dropFirst()
            // `**` swallows zero or more components.
            for consumed in 0...name.count where match(rest, name.dropFirst(consumed)) { return true }
            return false
        }
        guard let segment = name.first, matchSegment(first[...], segment[...]) else { return false }
        return match(pattern.dropFirst(), name.dropFirst())
    }

    private static func matchSegment(_ pattern: ArraySlice<Unicode.Scalar>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        switch first {
        case "*":
            var rest = pattern.dropFirst()
            while rest.first == "*" { rest = rest.dropFirst() }
            for consumed in 0...name.count where matchSegment(rest, name.dropFirst(consumed)) { return true }
            return false
        case "?":
            return !name.isEmpty && matchSegment(pattern.dropFirst(), name.dropFirst())
        case "[":
            guard let character = name.first, let (matched, rest) = matchClass(pattern.dropFirst(), character) else { return false }
            return matched && matchSegment(rest, name.dropFirst())
        case "\\":
            let escaped = pattern.dropFirst()
            guard let literal = escaped.first, name.first == literal else { return false }
            return matchSegment(escaped.dropFirst(), name.dropFirst())
        default:
            return name.first == first && matchSegment(pattern.dropFirst(), name.dropFirst())
        }
    }

    /// Matches one character against the class starting after `[`; returns the verdict and the pattern after `]`.
    private static func matchClass(_ body: ArraySlice<Unicode.Scalar>, _ character: Unicode.Scalar)
        -> (Bool, ArraySlice<Unicode.Scalar>)? {
        var rest = body
        var negated = false
        if rest.first == "^" || rest.first == "!" { negated = true; rest = rest.dropFirst() }
        var matched = false
        var first = true
        while let scalar = rest.first {
            if scalar == "]" && !first { return (matched != negated, rest.dropFirst()) }
            first = false
            var low = scalar
            rest = rest.dropFirst()
            if low == "\\", let escaped = rest.first { low = escaped; rest = rest.dropFirst() }
            var high = low
            if rest.first == "-", rest.count > 1, rest[rest.index(after: rest.startIndex)] != "]" {
                rest = rest.dropFirst()
                high = rest.first!
                rest = rest.dropFirst()
                if high == "\\", let escaped = rest.first { high = escaped; rest = rest.dropFirst() }
            }
            if low.value <= character.value && character.value <= high.value { matched = true }
        }
        return nil
    }

    // MARK: Parsing

    private static func classesAreClosed(_ scalars: [Unicode.Scalar]) -> Bool {
        var index = 0
        while index < scalars.count {
            switch scalars[index] {
            case "\\":
                guard index + 1 < scalars.count else { return false }
                index += 2
                continue
            case "[":
                guard let (_, rest) = matchClass(scalars[(index + 1)...], "\u{0}") else { return false }
                index = rest.startIndex
                continue
            default:
                index += 1
            }
        }
        return true
    }

    /// `{a,b}` → alternatives (nested braces allowed); nil when a brace is unbalanced.
    private static func expandBraces(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]]? {
        var index = 0
        var inClass = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" { index += 2; continue }
            if scalar == "[" { inClass = true } else if scalar == "]" { inClass = false }
            if scalar == "}" && !inClass { return nil }
            if scalar == "{" && !inClass {
                var depth = 0
                var options: [[Unicode.Scalar]] = []
                var current: [Unicode.Scalar] = []
                var cursor = index + 1
                var closed = false
                while cursor < scalars.count {
                    let inner = scalars[cursor]
                    if inner == "\\", cursor + 1 < scalars.count {
                        current += [inner, scalars[cursor + 1]]
                        cursor += 2
                        continue
                    }
                    if inner == "{" { depth += 1 }
                    if inner == "}" {
                        if depth == 0 { closed = true; break }
                        depth -= 1
                    }
                    if inner == "," && depth == 0 {
                        options.append(current)
                        current = []
                    } else {
                        current.append(inner)
                    }
                    cursor += 1
                }
                guard closed else { return nil }
                options.append(current)
                let head = Array(scalars[..<index]), tail = Array(scalars[(cursor + 1)...])
                var results: [[Unicode.Scalar]] = []
                for option in options {
                    guard let expanded = expandBraces(head + option + tail) else { return nil }
                    results += expanded
                }
                return results
            }
            index += 1
        }
        return [scalars]
    }
}
