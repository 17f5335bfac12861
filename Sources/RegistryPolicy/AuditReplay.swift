import Foundation
import RegistryCore

/// Replays recorded authorization decisions (the `log.audit` JSON lines) against a policy and lists
/// the ones that would now come out differently — a policy diff before rollout.
public struct AuditReplay: Sendable {
    /// A recorded decision whose outcome the new policy changes.
    public struct Change: Sendable, Codable, Equatable {
        /// 1-based line in the audit file.
        public let line: Int
        public let time: String?
        public let user: String?
        public let groups: [String]
        public let repository: String
        public let action: String
        /// `allow` or `deny`, as recorded.
        public let before: String
        /// `allow` or `deny` under the new policy.
        public let after: String
        /// The rule that decides under the new policy.
        public let rule: String
    }

    /// What a replay found.
    public struct Report: Sendable, Codable, Equatable {
        /// Authorization decisions replayed.
        public var replayed = 0
        /// Lines skipped: not JSON, not an authorization of a repository action, or unreadable.
        public var skipped = 0
        public var changes: [Change] = []

        /// A human summary, one line per change.
        public var text: String {
            var lines = changes.map { change in
                let who = change.user.map { "user \"\($0)\"" } ?? "anonymous"
                return "line \(change.line): \(change.action) on \"\(change.repository)\" by \(who): \(change.before) → \(change.after) (\(change.rule))"
            }
            lines.append("\(replayed) decision\(replayed == 1 ? "" : "s") replayed, \(changes.count) would change, \(skipped) line\(skipped == 1 ? "" : "s") skipped")
            return lines.joined(separator: "\n")
        }
    }

    let engine: PolicyEngine

    public init(engine: PolicyEngine) {
        self.engine = engine
    }

    /// Replays the audit text (JSON lines).
    public func replay(_ text: String) -> Report {
        var report = Report()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let result = object["result"] as? String, result == "allow" || result == "deny",
                  let repository = object["repository"] as? String,
                  let actionText = object["action"] as? String, let action = RegistryAction(rawValue: actionText) else {
                report.skipped += 1
                continue
            }
            let user = object["user"] as? String
            let groups = object["groups"] as? [String] ?? []
            let identity = user.map { Identity(username: $0, groups: groups, method: .htpasswd) } ?? .anonymous
            let decision = engine.decide(identity: identity, repository: repository, action: action)
            report.replayed += 1
            let after = decision.allowed ? "allow" : "deny"
            if after != result {
                report.changes.append(Change(line: index + 1, time: object["time"] as? String, user: user, groups: groups,
                                             repository: repository, action: actionText, before: result, after: after,
                                             rule: decision.description))
            }
        }
        return report
    }
}
