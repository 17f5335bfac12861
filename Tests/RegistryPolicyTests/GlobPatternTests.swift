import Testing
@testable import RegistryPolicy

@Suite("Glob patterns")
struct GlobPatternTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let name: String
        let matches: Bool
        var testDescription: String { "\"\(pattern)\" \(matches ? "matches" : "does not match") \"\(name)\"" }
    }

    static let cases: [Case] = [
        // literals
        Case(pattern: "library/alpine", name: "library/alpine", matches: true),
        Case(pattern: "library/alpine", name: "library/alpine2", matches: false),
        Case(pattern: "library/alpine", name: "library", matches: false),
        // * stays within a segment
        Case(pattern: "team-a/*", name: "team-a/app", matches: true),
        Case(pattern: "team-a/*", name: "team-a/", matches: true),
        Case(pattern: "team-a/*", name: "team-a/app/sub", matches: false),
        Case(pattern: "team-a/*", name: "team-a", matches: false),
        Case(pattern: "*", name: "alpine", matches: true),
        Case(pattern: "*", name: "library/alpine", matches: false),
        Case(pattern: "a*b*c", name: "axxbyyc", matches: true),
        Case(pattern: "a*b*c", name: "axxbyy/c", matches: false),
        Case(pattern: "*-prod", name: "web-prod", matches: true),
        Case(pattern: "*-prod", name: "web-prod-x", matches: false),
        Case(pattern: "a**b", name: "axxb", matches: true),
        Case(pattern: "a**b", name: "ax/xb", matches: false),
        // ** across segments
        Case(pattern: "**", name: "a", matches: true),
        Case(pattern: "**", name: "a/b/c", matches: true),
        Case(pattern: "team-a/**", name: "team-a", matches: true),
        Case(pattern: "team-a/**", name: "team-a/app", matches: true),
        Case(pattern: "team-a/**", name: "team-a/app/sub/x", matches: true),
        Case(pattern: "team-a/**", name: "team-ab/app", matches: false),
        Case(pattern: "team-a/**", name: "team-ab", matches: false),
        Case(pattern: "**/cache", name: "cache", matches: true),
        Case(pattern: "**/cache", name: "a/b/cache", matches: true),
        Case(pattern: "**/cache", name: "a/b/mycache", matches: false),
        Case(pattern: "a/**/z", name: "a/z", matches: true),
        Case(pattern: "a/**/z", name: "a/b/c/z", matches: true),
        Case(pattern: "a/**/z", name: "a/bz", matches: false),
        Case(pattern: "a/**/*-dev", name: "a/x/y/web-dev", matches: true),
        Case(pattern: "a/**/*-dev", name: "a/x/y/web-prod", matches: false),
        Case(pattern: "**/**", name: "a/b", matches: true),
        Case(pattern: "a/**/**/b", name: "a/b", matches: true),
        // ?
        Case(pattern: "app-?", name: "app-1", matches: true),
        Case(pattern: "app-?", name: "app-12", matches: false),
        Case(pattern: "a?b", name: "a/b", matches: false),
        Case(pattern: "caf?", name: "café", matches: true),
        // classes
        Case(pattern: "app-[0-9]", name: "app-7", matches: true),
        Case(pattern: "app-[0-9]", name: "app-x", matches: false),
        Case(pattern: "app-[!0-9]", name: "app-x", matches: true),
        Case(pattern: "app-[^0-9]", name: "app-7", matches: false),
        Case(pattern: "app-[abc]", name: "app-b", matches: true),
        Case(pattern: "a[!x]b", name: "a/b", matches: false),
        Case(pattern: "x[\\]]", name: "x]", matches: true),
        Case(pattern: "x[a-]", name: "x-", matches: true),
        // braces
        Case(pattern: "{dev,prod}/**", name: "prod/app", matches: true),
        Case(pattern: "{dev,prod}/**", name: "test/app", matches: false),
        Case(pattern: "team-{a,b{1,2}}/*", name: "team-b2/app", matches: true),
        Case(pattern: "team-{a,b{1,2}}/*", name: "team-b3/app", matches: false),
        Case(pattern: "app{,-dev}", name: "app", matches: true),
        Case(pattern: "app{,-dev}", name: "app-dev", matches: true),
        Case(pattern: "{a/**,b}", name: "a", matches: true),
        // escapes
        Case(pattern: "a\\*b", name: "a*b", matches: true),
        Case(pattern: "a\\*b", name: "axb", matches: false),
        Case(pattern: "a\\{b", name: "a{b", matches: true),
        Case(pattern: "a,b", name: "a,b", matches: true),
    ]

    @Test("Patterns match names like Zot's doublestar globs", arguments: cases)
    func matching(_ testCase: Case) throws {
        let glob = try GlobPattern(testCase.pattern)
        #expect(glob.matches(testCase.name) == testCase.matches)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let pattern: String
        let position: Int?
        let fragment: String
        var testDescription: String { "\"\(pattern)\" is rejected" }
    }

    static let invalid: [Invalid] = [
        Invalid(pattern: "", position: nil, fragment: "empty"),
        Invalid(pattern: "team-[a/**", position: 6, fragment: "'[' at character 6 is never closed"),
        Invalid(pattern: "x[]", position: 2, fragment: "empty"),
        Invalid(pattern: "x[z-a]", position: 3, fragment: "range 'z-a' at character 3 is reversed"),
        Invalid(pattern: "{a,b", position: 1, fragment: "'{' at character 1 is never closed"),
        Invalid(pattern: "a}b", position: 2, fragment: "'}' at character 2 has no matching '{'"),
        Invalid(pattern: "abc\\", position: 4, fragment: "escapes nothing"),
        Invalid(pattern: "a[b/c]", position: 4, fragment: "'/' at character 4 cannot appear"),
        Invalid(pattern: String(repeating: "{", count: 40) + String(repeating: "}", count: 40), position: 33, fragment: "deeper"),
        Invalid(pattern: String(repeating: "{a,b,c}", count: 8), position: nil, fragment: "more than 1024 alternatives"),
    ]

    @Test("Invalid patterns are rejected with the position and cause", arguments: invalid)
    func rejection(_ invalid: Invalid) {
        #expect {
            _ = try GlobPattern(invalid.pattern)
        } throws: { error in
            guard let error = error as? GlobError else { return false }
            return error.position == invalid.position && error.description.contains(invalid.fragment)
                && error.description.contains("invalid glob \"\(invalid.pattern)\"")
        }
    }

    @Test("Wildcard count measures specificity")
    func wildcardCount() throws {
        #expect(try GlobPattern("a/b").wildcardCount == 0)
        #expect(try GlobPattern("a/**").wildcardCount == 1)
        #expect(try GlobPattern("a-?/[xy]*").wildcardCount == 3)
        #expect(try GlobPattern("{a,b*}").wildcardCount == 2)
        #expect(try GlobPattern("a\\*").wildcardCount == 0)
    }

    @Test("Equality and hashing follow the pattern text")
    func equality() throws {
        #expect(try GlobPattern("a/**") == GlobPattern("a/**"))
        #expect(try GlobPattern("a/**") != GlobPattern("a/*"))
        #expect(Set([try GlobPattern("x"), try GlobPattern("x")]).count == 1)
    }
}
