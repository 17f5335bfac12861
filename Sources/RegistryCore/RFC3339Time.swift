import Foundation

/// RFC 3339 UTC timestamps (`2026-12-03T19:30:42Z`, `2026-12-03T19:30:42.123Z`) without a date formatter: Foundation
/// builds an ICU formatter per `ISO8601DateFormatter`, which cost a quarter of a token issuance.
public enum RFC3339Time {
    /// `date` in UTC, to the second, or with milliseconds when `milliseconds` (truncated, as Foundation's formatters do).
    public static func string(from date: Date, milliseconds: Bool = false) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = min(999, max(0, Int(((interval - Double(seconds)) * 1000).rounded(.down))))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = ""
        text.reserveCapacity(24)
        append(Int(parts.tm_year) + 1900, width: 4, to: &text)
        text += "-"
        append(Int(parts.tm_mon) + 1, width: 2, to: &text)
        text += "-"
        append(Int(parts.tm_mday), width: 2, to: &text)
        text += "T"
        append(Int(parts.tm_hour), width: 2, to: &text)
        text += ":"
        append(Int(parts.tm_min), width: 2, to: &text)
        text += ":"
        append(Int(parts.tm_sec), width: 2, to: &text)
        if milliseconds {
            text += "."
            append(millis, width: 3, to: &text)
        }
        return text + "Z"
    }

    private static func append(_ value: Int, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }
}
