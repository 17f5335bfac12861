import Foundation
import RegistryPolicy

/// Zot's `storage.retention` (one per store: `storage` and each `subPaths` entry), compiled: repository globs and
/// tag regexes are checked once, at config load.
public struct RetentionSettings: Sendable, Hashable {
    /// `dryRun`: decide and report (log, audit) but delete nothing.
    public var dryRun: Bool
    /// `delay` in seconds: untagged manifests and referrers younger than this are never deleted. Zot's default is the
    /// store's `gcDelay`.
    public var delay: TimeInterval
    /// `policies`, in file order: the first whose `repositories` match a repository applies to it.
    public var policies: [RetentionPolicy]

    /// Settings with the given values.
    public init(dryRun: Bool = false, delay: TimeInterval = 3600, policies: [RetentionPolicy] = []) {
        self.dryRun = dryRun
        self.delay = delay
        self.policies = policies
    }

    /// The policy that applies to `repository` (the first whose globs match) and its position, or nil.
    public func policy(for repository: String) -> (index: Int, policy: RetentionPolicy)? {
        for (index, policy) in policies.enumerated() where policy.repositories.contains(where: { $0.matches(repository) }) {
            return (index, policy)
        }
        return nil
    }
}

/// One entry of `retention.policies`.
public struct RetentionPolicy: Sendable, Hashable {
    /// `repositories`: doublestar globs (as in `accessControl`).
    public var repositories: [GlobPattern]
    /// `deleteReferrers`: delete a referrer whose subject is no longer listed (default false).
    public var deleteReferrers: Bool
    /// `deleteUntagged`: delete untagged manifests older than the delay (Zot's default true).
    public var deleteUntagged: Bool
    /// `keepTags`: a tag survives if any of these rules keeps it; empty keeps every tag.
    public var keepTags: [KeepTagsRule]
    /// `keepUntagged`: untagged manifests these criteria keep survive `deleteUntagged`.
    public var keepUntagged: KeepCriteria?

    /// A policy with the given values.
    public init(repositories: [GlobPattern], deleteReferrers: Bool = false, deleteUntagged: Bool = true,
                keepTags: [KeepTagsRule] = [], keepUntagged: KeepCriteria? = nil) {
        self.repositories = repositories
        self.deleteReferrers = deleteReferrers
        self.deleteUntagged = deleteUntagged
        self.keepTags = keepTags
        self.keepUntagged = keepUntagged
    }
}

/// One entry of `keepTags`: the tags its `patterns` match (every tag when empty) are kept when they meet any of its
/// criteria; with no criteria every matching tag is kept.
public struct KeepTagsRule: Sendable, Hashable {
    /// `patterns`: regular expressions searched in the tag (unanchored, as Go's `MatchString`).
    public var patterns: [TagPattern]
    /// The criteria of the rule.
    public var criteria: KeepCriteria

    /// A rule with the given patterns and criteria.
    public init(patterns: [TagPattern] = [], criteria: KeepCriteria = KeepCriteria()) {
        self.patterns = patterns
        self.criteria = criteria
    }

    /// Whether the rule's patterns select `tag`.
    public func selects(_ tag: String) -> Bool {
        patterns.isEmpty || patterns.contains { $0.matches(tag) }
    }
}

/// `pulledWithin`, `pushedWithin`, `mostRecentlyPushedCount`, `mostRecentlyPulledCount` (OR-ed, as in Zot).
public struct KeepCriteria: Sendable, Hashable {
    /// Kept when pulled (or pushed) less than this many seconds ago.
    public var pulledWithin: TimeInterval?
    /// Kept when pushed less than this many seconds ago.
    public var pushedWithin: TimeInterval?
    /// Kept when among the N most recently pushed of the rule's candidates (0: not set).
    public var mostRecentlyPushedCount: Int
    /// Kept when among the N most recently pulled of the rule's candidates (0: not set).
    public var mostRecentlyPulledCount: Int

    /// Criteria with the given values.
    public init(pulledWithin: TimeInterval? = nil, pushedWithin: TimeInterval? = nil, mostRecentlyPushedCount: Int = 0,
                mostRecentlyPulledCount: Int = 0) {
        self.pulledWithin = pulledWithin
        self.pushedWithin = pushedWithin
        self.mostRecentlyPushedCount = mostRecentlyPushedCount
        self.mostRecentlyPulledCount = mostRecentlyPulledCount
    }

    /// No criterion set.
    public var isEmpty: Bool {
        pulledWithin == nil && pushedWithin == nil && mostRecentlyPushedCount == 0 && mostRecentlyPulledCount == 0
    }
}

/// A `keepTags.patterns` regular expression, compiled once. Matching is a search anywhere in the tag, as Zot's
/// `regexp.MatchString` (anchor with `^…$` to match whole tags).
public struct TagPattern: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    private let compiled: CompiledRegex

    /// A literal form of the expression (`latest`, `^v1\.`-free prefixes like `^release-`, `v.*`), matched with
    /// string comparisons instead of the regex engine; nil when the expression needs the engine.
    private let literal: LiteralMatch?

    /// Compiles `source`; throws ``TagPatternError`` when it is not a regular expression.
    public init(_ source: String) throws(TagPatternError) {
        do {
            compiled = CompiledRegex(try Regex(source))
        } catch {
            throw TagPatternError(pattern: source, reason: "\(error)")
        }
        self.source = source
        literal = LiteralMatch(source)
    }

    /// Whether the expression matches somewhere in `tag`.
    public func matches(_ tag: String) -> Bool {
        if let literal { return literal.matches(tag) }
        return (try? compiled.regex.firstMatch(in: tag)) != nil
    }

    public var description: String { source }
    public static func == (lhs: TagPattern, rhs: TagPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// A regular expression that does not compile.
public struct TagPatternError: Error, Sendable, CustomStringConvertible {
    /// The expression.
    public let pattern: String
    /// Why it was refused.
    public let reason: String
    public var description: String { "\"\(pattern)\" is not a regular expression: \(reason)" }
}

/// `Regex` holds no mutable shared state after compilation; matching only reads it.
private final class CompiledRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}

/// `^?TEXT(.*)?$?` with TEXT free of regex syntax: what an unanchored search for it means, as string operations
/// (a trailing `.*` matches the empty string, so it changes nothing unless `$` follows nothing else).
struct LiteralMatch: Sendable, Hashable {
    let text: String
    let anchoredStart: Bool
    let anchoredEnd: Bool

    init?(_ source: String) {
        var body = Substring(source)
        let start = body.hasPrefix("^")
        if start { body = body.dropFirst() }
        var end = false
        if body.hasSuffix("$") {
            body = body.dropLast()
            end = true
        }
        if body.hasSuffix(".*") {
            body = body.dropLast(2)
            end = false
        }
        let syntax: Set<Character> = [".", "[", "]", "(", ")", "*", "+", "?", "{", "}", "|", "\\", "^", "$"]
        guard !body.contains(where: { syntax.contains($0) }) else { return nil }
        text = String(body)
        anchoredStart = start
        anchoredEnd = end
    }

    func matches(_ tag: String) -> Bool {
        switch (anchoredStart, anchoredEnd) {
        case (true, true): return tag == text
        case (true, false): return tag.hasPrefix(text)
        case (false, true): return tag.hasSuffix(text)
        case (false, false): return text.isEmpty || Self.contains(Array(tag.utf8), Array(text.utf8))
        }
    }

    /// Whether `needle` occurs in `haystack` (bytes; UTF-8 is self-synchronising, so a byte match is a text match).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        outer: for start in 0...(haystack.count - needle.count) {
            for offset in 0..<needle.count where haystack[start + offset] != needle[offset] { continue outer }
            return true
        }
        return false
    }
}
