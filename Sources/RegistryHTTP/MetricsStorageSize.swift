import RegistryStorage

/// The stored bytes, measured lazily through the storage layer when metrics are scraped and
/// reused for `maximumAge`, so frequent scrapes do not walk a large store each time. Concurrent
/// scrapes share one measurement.
actor StorageSizeCache {
    private let measure: @Sendable () async -> StorageUsage
    private let maximumAge: Duration
    private var measured: (usage: StorageUsage, at: ContinuousClock.Instant)?
    private var walking: Task<StorageUsage, Never>?

    init(maximumAge: Duration = .seconds(30), measure: @escaping @Sendable () async -> StorageUsage) {
        self.measure = measure
        self.maximumAge = maximumAge
    }

    /// The usage, at most `maximumAge` old.
    func usage() async -> StorageUsage {
        if let measured, measured.at.duration(to: .now) < maximumAge { return measured.usage }
        if let walking { return await walking.value }
        let measure = measure
        let walk = Task.detached(priority: .utility) { await measure() }
        walking = walk
        let usage = await walk.value
        measured = (usage, .now)
        walking = nil
        return usage
    }
}
