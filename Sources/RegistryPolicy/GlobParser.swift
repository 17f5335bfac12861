/// One element of a parsed glob, before brace alternatives are expanded.
enum GlobItem: Sendable, Hashable {
    /// A character matched literally (escaped or ordinary).
    case character(Unicode.Scalar)
    /// `/`: the segment separator.
    case separator
    /// `*`: any run of characters other than `/`.
    case star
    /// `?`: exactly one character other than `/`.
    case question
    /// `[...]`: one character (never `/`) from a class.
    case characterClass(GlobCharacterClass)
    /// `{a,b}`: one of several sub-sequences.
    case alternation([[GlobItem]])
}

/// A `[...]` class: inclusive scalar ranges, possibly negated. Never matches `/`.
struct GlobCharacterClass: Sendable, Hashable {
    var ranges: [ClosedRange<UInt32>]
    var negated: Bool
}

/// Parses glob syntax into `GlobItem`s and expands brace alternatives, reporting precise errors.
struct GlobParser {
    /// Upper bound on the number of patterns a brace expression may expand to.
    static let maximumAlternatives = 1024
    /// Upper bound on brace nesting depth.
    static let maximumNesting = 32

    private let pattern: String
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
    }

    /// Parses the whole pattern and expands alternatives into flat item sequences.
    mutating func parse() throws(GlobError) -> (alternatives: [[GlobItem]], wildcardCount: Int) {
        guard !scalars.isEmpty else { throw error(nil, "the pattern is empty; use \"**\" to match every repository") }
        let items = try parseSequence(depth: 0).first ?? []
        let expanded = try expand(items)
        return (expanded, Self.wildcardCount(items))
    }

    private func error(_ position: Int?, _ reason: String) -> GlobError {
        GlobError(pattern: pattern, position: position.map { $0 + 1 }, reason: reason)
    }

    /// Parses until end of input (depth 0) or the `}` closing the current brace (depth > 0).
    /// Returns the comma-separated alternatives (exactly one at depth 0).
    private mutating func parseSequence(depth: Int) throws(GlobError) -> [[GlobItem]] {
        var alternatives: [[GlobItem]] = []
        var current: [GlobItem] = []
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                guard index + 1 < scalars.count else {
                    throw error(index, "'\\' at character \(index + 1) escapes nothing; write '\\\\' for a literal backslash")
                }
                current.append(.character(scalars[index + 1]))
                index += 2
            case "/":
                current.append(.separator)
                index += 1
            case "*":
                current.append(.star)
                index += 1
            case "?":
                current.append(.question)
                index += 1
            case "[":
                current.append(.characterClass(try parseClass()))
            case "{":
                let open = index
                guard depth < Self.maximumNesting else {
                    throw error(open, "'{' at character \(open + 1) nests braces deeper than \(Self.maximumNesting) levels")
                }
                index += 1
                let inner = try parseSequence(depth: depth + 1)
                guard index < scalars.count, scalars[index] == "}" else {
                    throw error(open, "'{' at character \(open + 1) is never closed; add '}' or escape it as '\\{'")
                }
                index += 1
                current.append(.alternation(inner))
            case "}":
                guard depth > 0 else {
                    throw error(index, "'}' at character \(index + 1) has no matching '{'; escape it as '\\}'")
                }
                alternatives.append(current)
                return alternatives
            case "," where depth > 0:
                alternatives.append(current)
                current = []
                index += 1
            default:
                current.append(.character(scalar))
                index += 1
            }
        }
        alternatives.append(current)
        return alternatives
    }

    /// Parses `[...]` starting at `[`; leaves `index` after `]`.
    private mutating func parseClass() throws(GlobError) -> GlobCharacterClass {
        let open = index
        index += 1
        var negated = false
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        while true {
            guard index < scalars.count else {
                throw error(open, "'[' at character \(open + 1) is never closed; add ']' or escape it as '\\['")
            }
            if scalars[index] == "]" {
                guard !ranges.isEmpty else {
                    throw error(open, "the character class at character \(open + 1) is empty; escape ']' as '\\]' to match it")
                }
                index += 1
                return GlobCharacterClass(ranges: ranges, negated: negated)
            }
            let lowPosition = index
            let low = try classCharacter(open: open)
            if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                index += 1
                let high = try classCharacter(open: open)
                guard low.value <= high.value else {
                    throw error(lowPosition, "the range '\(low)-\(high)' at character \(lowPosition + 1) is reversed; write '\(high)-\(low)'")
                }
                ranges.append(low.value...high.value)
            } else {
                ranges.append(low.value...low.value)
            }
        }
    }

    /// Reads one (possibly escaped) character inside a class.
    private mutating func classCharacter(open: Int) throws(GlobError) -> Unicode.Scalar {
        guard index < scalars.count else {
            throw error(open, "'[' at character \(open + 1) is never closed; add ']' or escape it as '\\['")
        }
        var scalar = scalars[index]
        if scalar == "\\" {
            guard index + 1 < scalars.count else {
                throw error(index, "'\\' at character \(index + 1) escapes nothing inside the class opened at character \(open + 1)")
            }
            index += 1
            scalar = scalars[index]
        } else if scalar == "/" {
            guard scalars[index...].contains("]") else {
                throw error(open, "'[' at character \(open + 1) is never closed; add ']' or escape it as '\\['")
            }
            throw error(index, "'/' at character \(index + 1) cannot appear in a character class; classes never match '/'")
        }
        index += 1
        return scalar
    }

    /// Expands every alternation into the cartesian product of flat sequences.
    private func expand(_ items: [GlobItem]) throws(GlobError) -> [[GlobItem]] {
        var results: [[GlobItem]] = [[]]
        for item in items {
            guard case .alternation(let options) = item else {
                for i in results.indices { results[i].append(item) }
                continue
            }
            var optionExpansions: [[GlobItem]] = []
            for option in options {
                optionExpansions += try expand(option)
            }
            guard results.count * max(optionExpansions.count, 1) <= Self.maximumAlternatives else {
                throw error(nil, "braces expand to more than \(Self.maximumAlternatives) alternatives")
            }
            var next: [[GlobItem]] = []
            next.reserveCapacity(results.count * optionExpansions.count)
            for prefix in results {
                for option in optionExpansions { next.append(prefix + option) }
            }
            results = next
        }
        return results
    }

    /// Number of wildcard constructs (`*`, `**`, `?`, `[...]`, `{...}`), counted before expansion.
    static func wildcardCount(_ items: [GlobItem]) -> Int {
        var count = 0
        var previousWasStar = false
        for item in items {
            switch item {
            case .star:
                if !previousWasStar { count += 1 }
                previousWasStar = true
                continue
            case .question, .characterClass:
                count += 1
            case .alternation(let options):
                count += 1 + options.map(wildcardCount).reduce(0, +)
            case .character, .separator:
                break
            }
            previousWasStar = false
        }
        return count
    }
}
