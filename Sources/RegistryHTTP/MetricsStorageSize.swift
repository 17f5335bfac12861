import Foundation

/// The total size of the files under the storage root, measured lazily when metrics are scraped and
/// reused for `maximumAge`, so frequent scrapes do not walk a large store each time. Concurrent scrapes
/// share one walk. Files with several hard links are counted once.
actor StorageSizeCache {
    private let rootDirectory: String
    private let maximumAge: Duration
    private var measured: (bytes: Int64, at: ContinuousClock.Instant)?
    private var walking: Task<Int64, Never>?

    init(rootDirectory: String, maximumAge: Duration = .seconds(30)) {
        self.rootDirectory = rootDirectory
        self.maximumAge = maximumAge
    }

    /// The size in bytes, at most `maximumAge` old.
    func bytes() async -> Int64 {
        if let measured, measured.at.duration(to: .now) < maximumAge { return measured.bytes }
        if let walking { return await walking.value }
        let root = rootDirectory
        let walk = Task.detached(priority: .utility) { Self.totalSize(under: root) }
        walking = walk
        let bytes = await walk.value
        measured = (bytes, .now)
        walking = nil
        return bytes
    }

    /// Sums the sizes of regular files under `root` without following symbolic links.
    static func totalSize(under root: String) -> Int64 {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return 0 }
        var total: Int64 = 0
        var seenLinkedFiles = Set<[UInt64]>()
        while let relative = enumerator.nextObject() as? String {
            var info = stat()
            guard lstat(root + "/" + relative, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if info.st_nlink > 1, !seenLinkedFiles.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted { continue }
            total += Int64(info.st_size)
        }
        return total
    }
}
