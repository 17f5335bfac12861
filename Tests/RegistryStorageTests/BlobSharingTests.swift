import Foundation
import RegistryCore
import RegistryStorage
import Testing

@Suite("Blob sharing, mounts and concurrent pushes")
struct BlobSharingTests {
    @Test("the same blob pushed to two repositories is stored once")
    func dedupe() async throws {
        try await withStorage { storage in
            let content = sampleBytes(2048)
            let first = try await pushBlob(storage, repo("a"), content)
            let second = try await pushBlob(storage, repo("team/b"), content, chunkSize: 300)
            #expect(first == second)
            #expect(regularFiles(under: storage.rootDirectory + "/blobs").count == 1)
            #expect(storage.blobSize(repo("a"), first) == 2048)
            #expect(storage.blobSize(repo("team/b"), first) == 2048)
        }
    }

    @Test("deleting a shared blob from one repository keeps it in the other")
    func deleteIsPerRepository() async throws {
        try await withStorage { storage in
            let content = sampleBytes(512)
            let digest = try await pushBlob(storage, repo("a"), content)
            try await pushBlob(storage, repo("b"), content)
            try storage.deleteBlob(repo("a"), digest)
            #expect(storage.blobSize(repo("a"), digest) == nil)
            #expect(storage.blobSize(repo("b"), digest) == 512)
            #expect(storedContent(storage, digest) == content)
            #expect(throws: RegistryError.self) { try storage.deleteBlob(repo("a"), digest) }
        }
    }

    @Test("a blob is invisible to repositories it was never pushed or mounted to")
    func membership() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("a"), sampleBytes(64))
            #expect(storage.blobSize(repo("b"), digest) == nil)
            #expect(storage.storedBlobSize(digest) == 64)
        }
    }

    @Test("mounting from a repository that holds the blob links it into the target")
    func mountFromHolder() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("base"), sampleBytes(100))
            #expect(try storage.mountBlob(digest, into: repo("app"), from: repo("base")))
            #expect(storage.blobSize(repo("app"), digest) == 100)
            #expect(try storage.mountBlob(digest, into: repo("app"), from: repo("base")), "mounting twice is harmless")
        }
    }

    @Test("mounting from a repository that lacks the blob fails, even if another repository has it")
    func mountFromNonHolder() async throws {
        try await withStorage { storage in
            let digest = try await pushBlob(storage, repo("secret"), sampleBytes(100))
            #expect(try storage.mountBlob(digest, into: repo("app"), from: repo("public")) == false)
            #expect(try storage.mountBlob(Digest.of([9, 9]), into: repo("app"), from: repo("secret")) == false)
            #expect(storage.blobSize(repo("app"), digest) == nil)
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
            for name in Set(names) { #expect(storage.blobSize(name, expected) == 300_000) }
            #expect(storedContent(storage, expected) == content)
            #expect(regularFiles(under: storage.rootDirectory + "/blobs").count == 1)
            #expect(regularFiles(under: storage.rootDirectory + "/uploads").isEmpty)
        }
    }
}
