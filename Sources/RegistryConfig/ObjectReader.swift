/// Reads one config object against the list of keys it may contain. Unknown keys are errors that name their full
/// path (with a "did you mean" hint); keys Zot knows but we do not implement are accepted with a notice.
/// Key lookup is case-insensitive, as in Zot (whose config loader lower-cases keys).
struct ObjectReader {
    let path: ConfigPath
    private let membersByLowercasedKey: [String: ConfigNode]
    private let collector: ProblemCollector

    /// Returns nil (after reporting it) when `node` is not an object. `null` counts as an empty object, so an
    /// empty YAML section like `auth:` is accepted.
    /// - Parameters:
    ///   - known: keys this object may contain.
    ///   - ignored: Zot keys accepted for compatibility but not acted on, with the reason shown in a notice.
    ///   - explainUnknown: a custom message for an unknown key (nil falls back to "unknown key").
    init?(_ node: ConfigNode, known: [String], ignored: [String: String] = [:], collector: ProblemCollector,
          explainUnknown: (String, ConfigNode) -> String? = { _, _ in nil }) {
        self.path = node.path
        self.collector = collector
        let members: [(key: String, node: ConfigNode)]
        switch node.value {
        case .object(let pairs): members = pairs
        case .null: members = []
        default:
            collector.error(node.path, "expected an object, got \(node.kindName)")
            return nil
        }
        let knownByLowercased = Dictionary(known.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let ignoredByLowercased = Dictionary(ignored.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        var accepted: [String: ConfigNode] = [:]
        for (key, member) in members {
            let lowered = key.lowercased()
            if let reason = ignoredByLowercased[lowered] {
                collector.notice(member.path, "accepted for Zot compatibility but ignored: \(reason)")
            } else if knownByLowercased[lowered] == nil {
                collector.error(member.path, explainUnknown(key, member) ?? "unknown key" + Self.suggestion(for: key, among: known))
            } else if accepted[lowered] != nil {
                collector.error(member.path, "duplicate key (keys are case-insensitive)")
            } else {
                accepted[lowered] = member
            }
        }
        membersByLowercasedKey = accepted
    }

    /// The member for `key`, or nil when it is absent or `null`.
    func node(_ key: String) -> ConfigNode? {
        guard let member = membersByLowercasedKey[key.lowercased()] else { return nil }
        if case .null = member.value { return nil }
        return member
    }

    /// True when `key` is present (even as null).
    func contains(_ key: String) -> Bool {
        membersByLowercasedKey[key.lowercased()] != nil
    }

    /// The path a member would have, for "missing" messages.
    func path(of key: String) -> ConfigPath {
        path.appending(key: key)
    }

    func string(_ key: String) -> String? {
        node(key).flatMap(collector.string)
    }

    func bool(_ key: String) -> Bool? {
        node(key).flatMap(collector.bool)
    }

    func stringList(_ key: String) -> [String]? {
        node(key).flatMap(collector.stringList)
    }

    /// A string that must be present and not empty.
    func requiredString(_ key: String) -> String? {
        guard let member = node(key) else {
            collector.error(path(of: key), "is required")
            return nil
        }
        return collector.nonEmptyString(member)
    }

    /// A nested object read against its own key list; nil when absent, null or not an object.
    func object(_ key: String, known: [String], ignored: [String: String] = [:]) -> ObjectReader? {
        node(key).flatMap { ObjectReader($0, known: known, ignored: ignored, collector: collector) }
    }

    private static func suggestion(for key: String, among known: [String]) -> String {
        let lowered = key.lowercased()
        let nearest = known
            .map { ($0, editDistance(lowered, $0.lowercased())) }
            .filter { $0.1 <= max(1, min(2, lowered.count / 3)) }
            .min { $0.1 < $1.1 }
        return nearest.map { " (did you mean \"\($0.0)\"?)" } ?? ""
    }

    /// Levenshtein distance, for typo hints on short keys.
    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs.prefix(64)), right = Array(rhs.prefix(64))
        guard !left.isEmpty else { return right.count }
        guard !right.isEmpty else { return left.count }
        var previous = Array(0...right.count)
        for (leftIndex, leftCharacter) in left.enumerated() {
            var current = [leftIndex + 1] + Array(repeating: 0, count: right.count)
            for (rightIndex, rightCharacter) in right.enumerated() {
                let substitution = previous[rightIndex] + (leftCharacter == rightCharacter ? 0 : 1)
                current[rightIndex + 1] = min(substitution, previous[rightIndex + 1] + 1, current[rightIndex] + 1)
            }
            previous = current
        }
        return previous[right.count]
    }
}
