/// Go's `time.ParseDuration` syntax (`300ms`, `1h30m`, `1.5h`, `0`), as Zot writes durations.
enum GoDuration {
    private static let secondsPerUnit: [(suffix: String, seconds: Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// The duration in seconds, or nil if `text` is not a Go duration. Signs are rejected (config durations are
    /// never negative).
    static func seconds(_ text: String) -> Double? {
        if text == "0" { return 0 }
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else {
                return nil
            }
            rest = rest.dropFirst(number.count)
            // Longest suffix first so "ms" wins over "m".
            guard let unit = secondsPerUnit
                .filter({ rest.hasPrefix($0.suffix) })
                .max(by: { $0.suffix.count < $1.suffix.count }) else {
                return nil
            }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.seconds
        }
        return total.isFinite ? total : nil
    }
}
