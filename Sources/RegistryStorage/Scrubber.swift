import Foundation
import NIOCore
import RegistryCore

/// Zot's scrub: re-hashes every blob of every repository and checks that every listed manifest (and, through
/// indexes, every child manifest) and everything it references is present and intact. It only reads: corruption
/// is reported (by repository, digest and the image that needs it), never repaired or deleted.
public struct Scrubber: Sendable {
    /// One problem found.
    public struct Problem: Sendable, Hashable {
        /// What is wrong.
        public enum Kind: String, Sendable {
            /// The blob's content does not hash to its name.
            case corrupt
            /// A manifest references a blob or manifest that is not stored.
            case missing
            /// A listed manifest cannot be parsed.
            case unreadable
        }

        public var repository: String
        public var digest: String
        public var kind: Kind
        /// The tags or manifest digests that reference the blob (empty for an unreferenced corrupt blob).
        public var images: [String]
        public var message: String
    }

    /// What one pass found.
    public struct Report: Sendable {
        public var repositories = 0
        public var blobsChecked = 0
        public var bytesChecked: Int64 = 0
        public var manifestsChecked = 0
        public var problems: [Problem] = []

        public init() {}
    }

    let storage: LayoutStorage

    /// A scrubber over `storage`.
    public init(storage: LayoutStorage) {
        self.storage = storage
    }

    /// Scrubs every repository (or those `include` accepts).
    public func scrub(include: (@Sendable (String) -> Bool)? = nil) async throws -> Report {
        var report = Report()
        for name in try await storage.catalog() where include?(name) ?? true {
            guard let repository = RepositoryName(name) else { continue }
            try await scrub(repository, into: &report)
        }
        return report
    }

    func scrub(_ repository: RepositoryName, into report: inout Report) async throws {
        report.repositories += 1
        var users: [Digest: Set<String>] = [:]
        var problems: [Digest: Problem] = [:]
        guard let index = try await storage.readIndex(repository) else { return }
        // Which image needs what: walk listed manifests (tags name them) down through indexes.
        var pending: [(Digest, String)] = index.entries.compactMap { entry in entry.digest.map { ($0, entry.tag ?? $0.description) } }
        var visited = Set<Digest>()
        while let (digest, image) = pending.popLast() {
            users[digest, default: []].insert(image)
            guard visited.insert(digest).inserted else { continue }
            report.manifestsChecked += 1
            let body: [UInt8]
            do {
                body = try await storage.driver.getContent(StorageLayout.blob(repository, digest), maximumSize: LayoutStorage.maximumDocumentSize)
            } catch StorageDriverError.pathNotFound {
                problems[digest] = Problem(repository: repository.value, digest: digest.description, kind: .missing, images: [],
                                           message: "manifest is listed but not stored")
                continue
            }
            guard let manifest = try? ParsedManifest.parse(body, contentType: nil) else {
                problems[digest] = Problem(repository: repository.value, digest: digest.description, kind: .unreadable, images: [],
                                           message: "manifest does not parse")
                continue
            }
            for blob in manifest.blobs { users[blob, default: []].insert(image) }
            pending.append(contentsOf: manifest.manifests.map { ($0, image) })
        }
        let stored = await storage.blobFiles(repository)
        let storedDigests = Set(stored.map(\.0))
        for (digest, path) in stored {
            let (actual, size) = try await hash(path, algorithm: digest.algorithm)
            report.blobsChecked += 1
            report.bytesChecked += size
            if actual != digest, problems[digest] == nil {
                problems[digest] = Problem(repository: repository.value, digest: digest.description, kind: .corrupt, images: [],
                                           message: "content hashes to \(actual)")
            }
        }
        for digest in users.keys where !storedDigests.contains(digest) && problems[digest] == nil {
            problems[digest] = Problem(repository: repository.value, digest: digest.description, kind: .missing, images: [],
                                       message: "referenced but not stored")
        }
        for (digest, var problem) in problems.sorted(by: { $0.key < $1.key }) {
            problem.images = (users[digest] ?? []).sorted()
            report.problems.append(problem)
        }
    }

    /// Streams a blob through the hasher.
    func hash(_ path: StoragePath, algorithm: Digest.Algorithm) async throws -> (Digest, Int64) {
        var hasher = DigestHasher(algorithm: algorithm)
        var size: Int64 = 0
        for try await chunk in try await storage.driver.reader(path, offset: 0, length: nil) {
            chunk.withUnsafeReadableBytes { hasher.update($0) }
            size += Int64(chunk.readableBytes)
        }
        return (hasher.finalize(), size)
    }
}
