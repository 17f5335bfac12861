import Foundation

/// Zot's `gcTimeWindow`: a daily UTC time-of-day window (`"01:00-08:00"`, wrapping past midnight when the start is
/// later than the end) in which a new periodic GC pass may start; a pass that started inside runs to completion.
public struct GCTimeWindow: Sendable, Hashable, CustomStringConvertible {
    /// Minutes since midnight UTC.
    public let startMinute: Int
    /// Minutes since midnight UTC (exclusive).
    public let endMinute: Int

    /// Parses `HH:MM-HH:MM`; nil (with the reason in `problem`) when malformed or when start equals end.
    public static func parse(_ text: String) -> Result<GCTimeWindow, GCTimeWindowError> {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(GCTimeWindowError(reason: "expected the format \"HH:MM-HH:MM\"")) }
        guard let start = minutes(parts[0].trimmingCharacters(in: .whitespaces)),
              let end = minutes(parts[1].trimmingCharacters(in: .whitespaces)) else {
            return .failure(GCTimeWindowError(reason: "times must be 24-hour \"HH:MM\""))
        }
        guard start != end else { return .failure(GCTimeWindowError(reason: "start and end of the window cannot be equal")) }
        return .success(GCTimeWindow(startMinute: start, endMinute: end))
    }

    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return hour * 60 + minute
    }

    /// Whether `date` (in UTC) falls inside the window.
    public func contains(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if startMinute <= endMinute { return minute >= startMinute && minute < endMinute }
        return minute >= startMinute || minute < endMinute
    }

    public var description: String {
        String(format: "%02d:%02d-%02d:%02d", startMinute / 60, startMinute % 60, endMinute / 60, endMinute % 60)
    }
}

/// Why a `gcTimeWindow` was refused.
public struct GCTimeWindowError: Error, Sendable {
    /// The reason.
    public let reason: String
}
