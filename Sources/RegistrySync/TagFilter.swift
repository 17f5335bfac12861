import Foundation
import RegistryConfig

/// A content rule's `tags` filters, applied as Zot does: `regex` keeps matches, then `excludeRegex` drops matches,
/// then `semver` keeps semantic versions. Regexes are unanchored (Go's `MatchString`); the config loader has already
/// refused any that does not compile.
public struct TagFilter: Sendable {
    private let regex: String?
    private let excludeRegex: String?
    private let semver: Bool

    public init(_ config: SyncTagsConfig?) {
        regex = config?.regex
        excludeRegex = config?.excludeRegex
        semver = config?.semver ?? false
    }

    /// The tags that pass, in their original order.
    public func apply(_ tags: [String]) -> [String] {
        var kept = tags
        if let regex {
            kept = regex.isEmpty ? [] : kept.filter { Self.matches(regex, $0) }
        }
        if let excludeRegex, !excludeRegex.isEmpty {
            kept = kept.filter { !Self.matches(excludeRegex, $0) }
        }
        if semver {
            kept = kept.filter(SemanticVersion.isVersion)
        }
        return kept
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return false }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// Masterminds/semver's `NewVersion` grammar (what Zot uses): an optional `v`, one to three numeric parts,
/// an optional `-prerelease` and `+metadata`.
enum SemanticVersion {
    nonisolated(unsafe) private static let grammar = try! NSRegularExpression(pattern:
        #"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"#)

    static func isVersion(_ tag: String) -> Bool {
        grammar.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) != nil
    }
}
