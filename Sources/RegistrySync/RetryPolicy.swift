/// `maxRetries`, `retryDelay`, `maxRetryDelay`: exponential backoff from the first delay, capped (a fixed delay when
/// the cap equals the first delay, Zot's behaviour without `maxRetryDelay`).
public struct RetryPolicy: Sendable, Hashable {
    public let maxRetries: Int
    public let firstDelay: Double
    public let maximumDelay: Double

    public init(maxRetries: Int, firstDelay: Double, maximumDelay: Double) {
        self.maxRetries = max(0, maxRetries)
        self.firstDelay = max(0, firstDelay)
        self.maximumDelay = max(self.firstDelay, maximumDelay)
    }

    /// Seconds to wait before retry number `retry` (1-based).
    public func delay(beforeRetry retry: Int) -> Double {
        guard retry > 1 else { return firstDelay }
        let grown = firstDelay * pow2(retry - 1)
        return min(maximumDelay, grown)
    }

    private func pow2(_ exponent: Int) -> Double {
        exponent >= 60 ? .greatestFiniteMagnitude : Double(1 << exponent)
    }
}
