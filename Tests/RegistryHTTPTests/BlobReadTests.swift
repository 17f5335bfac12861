import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("Blob reads, deletes and mounts")
struct BlobReadTests {
    static let content = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    static var digest: Digest { Digest.of(content) }

    @Test("GET and HEAD of a blob carry Content-Length and Docker-Content-Digest; HEAD has no body")
    func getAndHead() async throws {
        try await withRegistry { client in
            try await client.pushBlob("app", Self.content)
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Length") == String(Self.content.count))
                #expect(response.header("Docker-Content-Digest") == Self.digest.description)
                #expect(response.bytes == Self.content)
            }
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Length") == String(Self.content.count))
                #expect(response.header("Docker-Content-Digest") == Self.digest.description)
                #expect(response.bytes.isEmpty)
            }
        }
    }

    @Test("An unknown blob is 404 BLOB_UNKNOWN, and HEAD of it is 404 with no body")
    func unknownBlob() async throws {
        try await withRegistry { client in
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["BLOB_UNKNOWN"])
            }
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .head) { response in
                #expect(response.status == .notFound)
                #expect(response.bytes.isEmpty)
            }
        }
    }

    @Test("A blob pushed to one repository is not readable through another that never linked it")
    func blobsAreScopedToRepositories() async throws {
        try await withRegistry { client in
            try await client.pushBlob("one", Self.content)
            try await client.execute(uri: "/v2/two/blobs/\(Self.digest)", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["BLOB_UNKNOWN"])
            }
        }
    }

    @Test("Range GETs answer 206 with the bytes and Content-Range",
          arguments: [("bytes=0-9", 0...9), ("bytes=30-", 30...35), ("bytes=-6", 30...35), ("bytes=10-1000", 10...35)])
    func rangeGet(_ range: String, _ expected: ClosedRange<Int>) async throws {
        try await withRegistry { client in
            try await client.pushBlob("app", Self.content)
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .get, headers: [.init("Range")!: range]) { response in
                #expect(response.status == .partialContent, "\(range)")
                #expect(response.header("Content-Range") == "bytes \(expected.lowerBound)-\(expected.upperBound)/\(Self.content.count)")
                #expect(response.header("Content-Length") == String(expected.count))
                #expect(response.bytes == Array(Self.content[expected]))
            }
        }
    }

    @Test("An unsatisfiable range is 416 with Content-Range bytes */size")
    func unsatisfiableRange() async throws {
        try await withRegistry { client in
            try await client.pushBlob("app", Self.content)
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .get, headers: [.init("Range")!: "bytes=100-200"]) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.header("Content-Range") == "bytes */\(Self.content.count)")
                #expect(ociErrorCodes(response) == ["RANGE_INVALID"])
            }
        }
    }

    @Test("DELETE of a blob is 202, after which GET is 404 BLOB_UNKNOWN and a second DELETE is 404")
    func deleteBlob() async throws {
        try await withRegistry { client in
            try await client.pushBlob("app", Self.content)
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .delete) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["BLOB_UNKNOWN"])
            }
            try await client.execute(uri: "/v2/app/blobs/\(Self.digest)", method: .delete) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["BLOB_UNKNOWN"])
            }
        }
    }

    @Test("Mount with from= of an existing blob is 201 with Location and the blob becomes readable")
    func mountFromSource() async throws {
        try await withRegistry { client in
            try await client.pushBlob("source", Self.content)
            try await client.execute(uri: "/v2/target/blobs/uploads/?mount=\(Self.digest)&from=source", method: .post) { response in
                #expect(response.status == .created)
                #expect(response.header("Location") == "/v2/target/blobs/\(Self.digest)")
                #expect(response.header("Docker-Content-Digest") == Self.digest.description)
            }
            try await client.execute(uri: "/v2/target/blobs/\(Self.digest)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.bytes == Self.content)
            }
        }
    }

    @Test("Mount without from= mounts automatically from a readable repository holding the blob (201)")
    func automaticMount() async throws {
        try await withRegistry { client in
            try await client.pushBlob("source", Self.content)
            try await client.execute(uri: "/v2/target/blobs/uploads/?mount=\(Self.digest)", method: .post) { response in
                #expect(response.status == .created)
                #expect(response.header("Location") == "/v2/target/blobs/\(Self.digest)")
            }
            try await client.execute(uri: "/v2/target/blobs/\(Self.digest)", method: .head) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("A mount that cannot be satisfied falls back to a new upload session (202 with Location)",
          arguments: ["&from=source", "&from=empty", ""])
    func failedMountFallsBackToUpload(_ from: String) async throws {
        try await withRegistry { client in
            try await client.pushBlob("source", Array("other blob".utf8))
            try await client.execute(uri: "/v2/target/blobs/uploads/?mount=\(Self.digest)\(from)", method: .post) { response in
                #expect(response.status == .accepted)
                #expect(response.header("Location")?.hasPrefix("/v2/target/blobs/uploads/") == true)
            }
            try await client.execute(uri: "/v2/target/blobs/\(Self.digest)", method: .head) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
