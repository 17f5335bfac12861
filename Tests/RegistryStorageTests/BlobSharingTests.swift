import Foundation
import RegistryCore
import RegistryStorage
import Testing

/// The inode of a local file (0 if missing).
func inode(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
}

/// The local file of a blob in the layout.
func blobFile(_ storage: LayoutStorage, _ repository: RepositoryName, _ digest: Digest) -> String {
    "\(storage.rootDirectory)/\(repository)/blobs/\(digest.algorithm.rawValue)/\(digest.hex)"
}

@Suite("Blob sharing, mounts and concurrent pushes")
struct BlobSharingTests {
    @Test("with dedupe the same blob pushed to two repositories is one file hard-linked into both")
    func dedupe() async throws {
        try await withStorage { storage in
            let content = sampleBytes(2048)
            let first = try await pushBlob(storage, repo("a"), content)
            let second = try await pushBlob(storage, repo("team/b"), content, chunkSize: 300)
            #expect(first == second)
            #expect(inode(blobFile(storage, repo("a"), first)) != 0)
            #expect(inode(blobFile(storage, repo("a"), first)) == inode(blobFile(storage, repo("team/b"), first)))
            #expect(try await storage.blobSize(repo("a"), first) == 2048)
            #expect(try await storage.blobSize(repo("team/b"), first) == 2048)
        }
    }

    @Test("without dedupe every repository keeps its own copy")
    func noDedupe() async throws {
        try await withStorage(dedupe: false) { storage in
            let content = sampleBytes(2048)
            let digest = try await pushBlob(storage, repo("a"), content)
            try await pushBlob(storage, repo("b"), content)
            #expect(try await storage.mountBlob(digest, into: repo("c"), from: repo("a")))
            let inodes = Set(["a", "b", "c"].map { inode(blobFile(storage, repo($0), digest)) })
            #expect(inodes.count == 3 && !inodes.contains(0))
            #expect(storedContent(storage, repo("c"), digest) == content)
        }
    }

    @Test("a dedupe index lost by a restart is rebuilt by scanning the layout")
    func dedupeAfterRestart() async throws {
        try await withTemporaryRoot { root in
            let content = sampleBytes(4096)
            let digest = try await pushBlob(layoutStorage(root), repo("a"), content)
            let restarted = try layoutStorage(root)
            try await pushBlob(restarted, repo("b"), content)
            #expect(inode(blobFile(restarted, repo("a"), digest)) == inode(blobFile(restarted, repo("b"), digest)))
        }
    }

    @Test("deleting a shared blob from one repository keeps it in the other")
    func deleteIsPerRepository() async throws {
        for dedupe in [true, false] {
            try await withStorage(dedupe: dedupe) { storage in
                let content = sampleBytes(512)
                let digest = try await pushBlob(storage, repo("a"), content)
                try await pushBlob(storage, repo("b"), content)
                try await storage.deleteBlob(repo("a"), digest)
                #expect(try await storage.blobSize(repo("a"), digest) == nil)
                #expect(try await storage.blobSize(repo("b"), digest) == 512)
                #expect(storedContent(storage, repo("b"), digest) == content)
                await expectRegistryError(.blobUnknown) { try await storage.deleteBlob(repo("a"), digest) }
                try await pushBlob(storage, repo("c"), content)
                #expect(storedContent(storage, repo("c"), digest) == content, "dedupe after a delete links a surviving copy")
            }
        }
    }

    @Test("a blob is invisible to repositories it was never pushed or mounted to")
    func membership() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("a"), sampleBytes(64))
            #expect(try await storage.blobSize(repo("b"), digest) == nil)
            #expect(try await storage.blobSize(repo("a"), digest) == 64)
        }
    }

    @Test("mounting from a repository that holds the blob links it into the target")
    func mountFromHolder() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("base"), sampleBytes(100))
            #expect(try await storage.mountBlob(digest, into: repo("app"), from: repo("base")))
            #expect(try await storage.blobSize(repo("app"), digest) == 100)
            #expect(inode(blobFile(storage, repo("app"), digest)) == inode(blobFile(storage, repo("base"), digest)))
            #expect(try await storage.mountBlob(digest, into: repo("app"), from: repo("base")), "mounting twice is harmless")
            #expect(try await storage.catalog() == ["app", "base"], "a mount creates the target repository")
        }
    }

    @Test("mounting from a repository that lacks the blob fails, even if another repository has it")
    func mountFromNonHolder() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("secret"), sampleBytes(100))
            #expect(try await storage.mountBlob(digest, into: repo("app"), from: repo("public")) == false)
            #expect(try await storage.mountBlob(Digest.of([9, 9]), into: repo("app"), from: repo("secret")) == false)
            #expect(try await storage.blobSize(repo("app"), digest) == nil)
        }
    }

    @Test("eight concurrent uploads of the same layer all succeed and the content is intact",
          arguments: [false, true])
    func concurrentPushes(toDifferentRepositories: Bool) async throws {
        try await withStorage { storage in
            let content = sampleBytes(300_000, seed: 7)
            let expected = Digest.of(content)
            let names = (0..<8).map { repo(toDifferentRepositories ? "team/r\($0)" : "shared") }
            let digests = try await withThrowingTaskGroup(of: Digest.self) { group in
                for name in names {
                    group.addTask { try await pushBlob(storage, name, content, chunkSize: 65_536) }
                }
                return try await group.reduce(into: [Digest]()) { $0.append($1) }
            }
            #expect(digests == Array(repeating: expected, count: 8))
            for name in Set(names) {
                #expect(try await storage.blobSize(name, expected) == 300_000)
                #expect(storedContent(storage, name, expected) == content)
                #expect(regularFiles(under: "\(storage.rootDirectory)/\(name)/.uploads").isEmpty)
            }
        }
    }
}
