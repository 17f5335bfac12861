import Testing
@testable import RegistryPolicy

/// Compares the compiled matcher with a regular-expression translation of the same glob on random inputs.
@Suite("Glob matcher agrees with a regex reference")
struct GlobDifferentialTests {
    /// Pattern pieces with their regex translations (`**` components are handled when joining).
    static let pieces: [(glob: String, regex: String)] = [
        ("a", "a"), ("b", "b"), ("*", "[^/]*"), ("?", "[^/]"), ("[ab]", "[ab]"), ("[!a]", "[^a/]"),
        ("{a,b/}", "(?:a|b/)"), ("\\*", "\\*"),
    ]

    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// Builds a random glob segment-wise and the equivalent regex.
    static func randomPattern(_ generator: inout Generator) -> (glob: String, regex: String) {
        let segmentCount = 1 + generator.next(3)
        var segments: [(glob: String, regex: String, globstar: Bool)] = []
        for _ in 0..<segmentCount {
            if generator.next(4) == 0 {
                segments.append(("**", "", true))
                continue
            }
            var glob = ""
            var regex = ""
            for _ in 0..<(1 + generator.next(3)) {
                let piece = pieces[generator.next(pieces.count)]
                if piece.glob == "*", glob.hasSuffix("*"), !glob.hasSuffix("\\*") { continue }
                glob += piece.glob
                regex += piece.regex
            }
            segments.append((glob, regex, false))
        }
        // Collapse consecutive globstars, as the matcher does.
        var collapsed: [(glob: String, regex: String, globstar: Bool)] = []
        for segment in segments where !(segment.globstar && collapsed.last?.globstar == true) { collapsed.append(segment) }
        let glob = collapsed.map(\.glob).joined(separator: "/")
        var regex = ""
        for (position, segment) in collapsed.enumerated() {
            let isFirst = position == 0
            let isLast = position == collapsed.count - 1
            if segment.globstar {
                if isFirst && isLast { regex += ".*" } else if isLast { regex += "(?:/.*)?" } else { regex += "(?:.*/)?" }
            } else {
                regex += segment.regex
                if !isLast && !collapsed[position + 1].globstar || (!isLast && position + 1 < collapsed.count - 1) {
                    regex += "/"
                }
            }
        }
        return (glob, regex)
    }

    static func randomName(_ generator: inout Generator) -> String {
        let alphabet: [Character] = ["a", "b", "c", "/", "*"]
        return String((0..<generator.next(8)).map { _ in alphabet[generator.next(alphabet.count)] })
    }

    @Test("Random globs and names give the same answer as the regex translation")
    func randomAgreement() throws {
        var generator = Generator(state: 0x5EED)
        var disagreements: [String] = []
        var matchedCount = 0
        for _ in 0..<400 {
            let (glob, regexText) = Self.randomPattern(&generator)
            let compiled = try GlobPattern(glob)
            let regex = try Regex(regexText)
            for _ in 0..<25 {
                let name = Self.randomName(&generator)
                let expected = name.wholeMatch(of: regex) != nil
                if expected { matchedCount += 1 }
                if compiled.matches(name) != expected {
                    disagreements.append("\(glob) vs \(name): regex \(regexText) says \(expected)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(matchedCount > 200, "the generator should produce enough matching names to be meaningful")
    }
}
