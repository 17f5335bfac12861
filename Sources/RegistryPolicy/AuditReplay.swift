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

    let policy: AccessPolicy

    /// Replays against `policy`, the same ``AccessPolicy`` value the server would build from the new config.
    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    /// Replays the audit text (JSON lines, ``AuditEvent``): each recorded repository decision is asked again with
    /// the identity as recorded — user, groups, method and an API key's scopes.
    public func replay(_ text: String) -> Report {
        var report = Report()
        let decoder = JSONDecoder()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let event = try? decoder.decode(AuditEvent.self, from: Data(line.utf8)),
                  event.result == .allow || event.result == .deny, event.event == nil,
                  let repositoryText = event.repository, let repository = RepositoryName(repositoryText),
                  let actionText = event.action, let action = RegistryAction(rawValue: actionText) else {
                report.skipped += 1
                continue
            }
            let verdict = policy.decide(event.identity, AccessRequirement(repository, action))
            report.replayed += 1
            let before = event.result.rawValue
            let after = verdict.allowed ? "allow" : "deny"
            if after != before {
                report.changes.append(Change(line: index + 1, time: event.time, user: event.user, groups: event.groups ?? [],
                                             repository: repositoryText, action: actionText, before: before, after: after,
                                             rule: verdict.rule))
            }
        }
        return report
    }
}
