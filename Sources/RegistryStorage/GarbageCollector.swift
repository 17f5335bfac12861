import Foundation
import RegistryCore

/// Zot's `storage.gc`: removes shared blobs no repository references any more (after deletes of
/// blobs or manifests) and abandoned uploads, once they are older than `gcDelay`.
///
/// A blob counts as referenced while any repository links it as a layer or holds it as a
/// manifest revision. The delay protects pushes in flight: an upload that was just moved into
/// place but not yet linked is younger than the delay and is left alone.
public struct GarbageCollector: Sendable {
    /// What one pass removed.
    public struct Report: Sendable, Equatable {
        public var blobsRemoved = 0
        public var bytesFreed: Int64 = 0
        public var uploadsRemoved = 0

        public init() {}

        /// Whether the pass removed anything.
        public var isEmpty: Bool { self == Report() }
    }

    let storage: FileSystemStorage
    /// Minimum age before an unreferenced blob is removed.
    public let delay: TimeInterval
    /// Minimum age (since the last write) before an abandoned upload is removed.
    public let uploadExpiry: TimeInterval

    public init(storage: FileSystemStorage, delay: TimeInterval, uploadExpiry: TimeInterval = 24 * 3600) {
        self.storage = storage
        self.delay = delay
        self.uploadExpiry = uploadExpiry
    }

    /// Runs one collection pass.
    public func collect(now: Date = Date()) async -> Report {
        var report = Report()
        let referenced = referencedDigests()
        let layout = storage.layout
        for algorithm in Digest.Algorithm.allCases {
            let algorithmDirectory = "\(layout.blobsDirectory)/\(algorithm.rawValue)"
            for prefix in FileOperations.list(algorithmDirectory) {
                let prefixDirectory = "\(algorithmDirectory)/\(prefix)"
                for hex in FileOperations.list(prefixDirectory) {
                    guard let digest = Digest("\(algorithm.rawValue):\(hex)"), !referenced.contains(digest) else { continue }
                    let path = "\(prefixDirectory)/\(hex)"
                    guard let age = Self.age(of: path, now: now), age >= delay else { continue }
                    let size = FileOperations.size(path) ?? 0
                    if FileOperations.remove(path) {
                        report.blobsRemoved += 1
                        report.bytesFreed += size
                    }
                }
            }
        }
        for entry in FileOperations.list(layout.uploadsDirectory) where !entry.hasSuffix(".repo") {
            let path = "\(layout.uploadsDirectory)/\(entry)"
            guard let id = UploadID(entry), let age = Self.age(of: path, now: now), age >= uploadExpiry else { continue }
            await storage.discard(id)
            report.uploadsRemoved += 1
        }
        return report
    }

    /// Every digest some repository links as a layer or keeps as a manifest.
    func referencedDigests() -> Set<Digest> {
        var digests = Set<Digest>()
        for name in storage.catalog() {
            guard let repository = RepositoryName(name) else { continue }
            let base = storage.layout.repository(repository)
            for kind in ["_layers", "_manifests"] {
                for algorithm in Digest.Algorithm.allCases {
                    for hex in FileOperations.list("\(base)/\(kind)/\(algorithm.rawValue)") {
                        if let digest = Digest("\(algorithm.rawValue):\(hex)") { digests.insert(digest) }
                    }
                }
            }
        }
        return digests
    }

    static func age(of path: String, now: Date) -> TimeInterval? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return now.timeIntervalSince(modified)
    }
}
