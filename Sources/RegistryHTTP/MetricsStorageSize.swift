/// The stored bytes, measured lazily through the storage layer when metrics are scraped and
/// reused for `maximumAge`, so frequent scrapes do not walk a large store each time. Concurrent
/// scrapes share one measurement.
actor StorageSizeCache {
    private let measure: @Sendable () async -> Int64
    private let maximumAge: Duration
    private var measured: (bytes: Int64, at: ContinuousClock.Instant)?
    private var walking: Task<Int64, Never>?

    init(maximumAge: Duration = .seconds(30), measure: @escaping @Sendable () async -> Int64) {
        self.measure = measure
        self.maximumAge = maximumAge
    }

    /// The size in bytes, at most `maximumAge` old.
    func bytes() async -> Int64 {
        if let measured, measured.at.duration(to: .now) < maximumAge { return measured.bytes }
        if let walking { return await walking.value }
        let measure = measure
        let walk = Task.detached(priority: .utility) { await measure() }
        walking = walk
        let bytes = await walk.value
        measured = (bytes, .now)
        walking = nil
        return bytes
    }
}
