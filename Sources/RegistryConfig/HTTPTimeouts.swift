/// `http.readTimeout`, `http.writeTimeout` (Zot's keys, Go durations such as `"2m"`; `"0"` means none),
/// `http.idleTimeout` and `http.shutdownTimeout` (zot-authz's), in seconds.
public struct HTTPTimeouts: Sendable, Hashable {
    /// Longest time from a request's head until its body has been read (`nil`: no limit, the default — Zot's
    /// command line defaults to 60 s, which cuts off large uploads; set it explicitly to get Zot's behaviour).
    public var readSeconds: Double?
    /// Longest time from a request's head until its response has been written (`nil`: no limit).
    public var writeSeconds: Double?
    /// How long a connection may stay silent, between requests or in the middle of a body. Default 30 s.
    public var idleSeconds: Double = 30
    /// On SIGTERM/SIGINT, how long in-flight requests may take to finish before they are cut. Default 30 s.
    public var shutdownSeconds: Double = 30

    public init() {}

    /// The keys, as written in `http`.
    static let keys = ["readTimeout", "writeTimeout", "idleTimeout", "shutdownTimeout"]
}

extension ConfigMapper {
    /// Reads the timeout keys of `http` (already known to `reader`).
    func mapTimeouts(_ reader: ObjectReader) -> HTTPTimeouts {
        var timeouts = HTTPTimeouts()
        timeouts.readSeconds = timeout(reader, "readTimeout", zeroMeansNone: true) ?? nil
        timeouts.writeSeconds = timeout(reader, "writeTimeout", zeroMeansNone: true) ?? nil
        if let idle = timeout(reader, "idleTimeout", zeroMeansNone: false), let idle { timeouts.idleSeconds = idle }
        if let shutdown = timeout(reader, "shutdownTimeout", zeroMeansNone: false), let shutdown { timeouts.shutdownSeconds = shutdown }
        return timeouts
    }

    /// `nil` when the key is absent or invalid (reported); `.some(nil)` for a zero that means "no limit".
    private func timeout(_ reader: ObjectReader, _ key: String, zeroMeansNone: Bool) -> Double?? {
        guard let node = reader.node(key), let text = collector.string(node) else { return nil }
        guard let seconds = GoDuration.seconds(text) else {
            collector.error(node.path, "\(node.quoted) is not a duration (expected a Go duration like \"60s\", \"2m\" or \"1h\")")
            return nil
        }
        if seconds == 0 {
            if zeroMeansNone { return .some(nil) }
            collector.error(node.path, "must be greater than 0")
            return nil
        }
        if seconds < 0.001 {
            collector.error(node.path, "\(node.quoted) is shorter than a millisecond")
            return nil
        }
        return seconds
    }
}
