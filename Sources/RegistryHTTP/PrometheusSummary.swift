import Foundation
import Synchronization

/// A Prometheus summary without quantiles — `_sum` and `_count` per label value — as Zot's Go client exports its
/// `SummaryOpts` without objectives (`zot_http_repo_latency_seconds`, `zot_gc_duration_seconds`). swift-prometheus
/// has no summary type, so its text is rendered here and appended to the registry's exposition.
final class PrometheusSummary: Sendable {
    /// The full metric name (`zot_http_repo_latency_seconds`).
    let name: String
    private let help: String
    /// The label name, or `nil` for a summary without labels.
    private let labelName: String?
    private let series = Mutex<[String: (sum: Double, count: UInt64)]>([:])

    init(name: String, help: String, labelName: String? = nil) {
        self.name = name
        self.help = help
        self.labelName = labelName
    }

    /// Adds one observation of `seconds` under `label` (ignored when the summary has no label).
    func observe(_ seconds: Double, label: String = "") {
        series.withLock { series in
            let key = labelName == nil ? "" : label
            let current = series[key] ?? (0, 0)
            series[key] = (current.sum + seconds, current.count + 1)
        }
    }

    /// Adds one observation of `duration`.
    func observe(_ duration: Duration, label: String = "") {
        let (seconds, attoseconds) = duration.components
        observe(Double(seconds) + Double(attoseconds) / 1e18, label: label)
    }

    /// The exposition text (HELP, TYPE, then `_sum` and `_count` per label value, sorted); a summary without
    /// labels is shown at zero before its first observation, as Go's client does.
    func exposition() -> String {
        var snapshot = series.withLock { $0 }
        if labelName == nil && snapshot.isEmpty { snapshot[""] = (0, 0) }
        guard !snapshot.isEmpty else { return "" }
        var text = "# HELP \(name) \(help)\n# TYPE \(name) summary\n"
        for key in snapshot.keys.sorted() {
            let (sum, count) = snapshot[key]!
            let labels = labelName.map { "{\($0)=\"\(Self.escape(key))\"}" } ?? ""
            text += "\(name)_sum\(labels) \(Self.format(sum))\n\(name)_count\(labels) \(count)\n"
        }
        return text
    }

    /// Escapes a label value for the text format (backslash, double quote, newline).
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)"
    }
}
