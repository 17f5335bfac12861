import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("Blob uploads")
struct BlobUploadTests {
    static let content = Array("hello, registry — some blob content".utf8)

    @Test("POST then PUT with the digest uploads a blob monolithically (202, then 201 with Location and digest)")
    func monolithicPostThenPut() async throws {
        try await withRegistry { client in
            let digest = Digest.of(Self.content)
            let location = try await client.execute(uri: "/v2/lib/app/blobs/uploads/", method: .post) { response in
                #expect(response.status == .accepted)
                #expect(response.header("Docker-Upload-UUID")?.isEmpty == false)
                let location = try #require(response.header("Location"))
                #expect(location.hasPrefix("/v2/lib/app/blobs/uploads/"))
                return location
            }
            try await client.execute(uri: location + "?digest=\(digest)", method: .put,
                                     headers: [.contentType: "application/octet-stream"], body: buffer(Self.content)) { response in
                #expect(response.status == .created)
                #expect(response.header("Location") == "/v2/lib/app/blobs/\(digest)")
                #expect(response.header("Docker-Content-Digest") == digest.description)
            }
            try await client.execute(uri: "/v2/lib/app/blobs/\(digest)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.bytes == Self.content)
            }
        }
    }

    @Test("A single POST with ?digest= and the body stores the blob (201)")
    func singlePostWithDigest() async throws {
        try await withRegistry { client in
            let digest = Digest.of(Self.content)
            try await client.execute(uri: "/v2/app/blobs/uploads/?digest=\(digest)", method: .post,
                                     headers: [.contentType: "application/octet-stream"], body: buffer(Self.content)) { response in
                #expect(response.status == .created)
                #expect(response.header("Location") == "/v2/app/blobs/\(digest)")
                #expect(response.header("Docker-Content-Digest") == digest.description)
            }
            try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Length") == String(Self.content.count))
            }
        }
    }

    @Test("A single POST whose body does not match ?digest= is 400 DIGEST_INVALID and stores nothing")
    func singlePostWithWrongDigest() async throws {
        try await withRegistry { client in
            let claimed = Digest.of(Array("something else".utf8))
            try await client.execute(uri: "/v2/app/blobs/uploads/?digest=\(claimed)", method: .post, body: buffer(Self.content)) { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["DIGEST_INVALID"])
            }
            try await client.execute(uri: "/v2/app/blobs/\(claimed)", method: .head) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("Chunked PATCHes with Content-Range report the Range so far, and the final PUT completes the blob")
    func chunkedUpload() async throws {
        try await withRegistry { client in
            let first = Array(Self.content[0..<10]), second = Array(Self.content[10...])
            var location = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            location = try await client.execute(uri: location, method: .patch,
                                                headers: [.contentType: "application/octet-stream", .init("Content-Range")!: "0-9"],
                                                body: buffer(first)) { response in
                #expect(response.status == .accepted)
                #expect(response.header("Range") == "0-9")
                return try #require(response.header("Location"))
            }
            let end = Self.content.count - 1
            location = try await client.execute(uri: location, method: .patch,
                                                headers: [.contentType: "application/octet-stream", .init("Content-Range")!: "10-\(end)"],
                                                body: buffer(second)) { response in
                #expect(response.status == .accepted)
                #expect(response.header("Range") == "0-\(end)")
                return try #require(response.header("Location"))
            }
            try await client.execute(uri: location, method: .get) { response in
                #expect(response.status == .noContent)
                #expect(response.header("Range") == "0-\(end)")
                #expect(response.header("Location") == location)
            }
            let digest = Digest.of(Self.content)
            try await client.execute(uri: location + "?digest=\(digest)", method: .put) { response in
                #expect(response.status == .created)
                #expect(response.header("Docker-Content-Digest") == digest.description)
            }
            try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get) { response in
                #expect(response.bytes == Self.content)
            }
        }
    }

    @Test("A PATCH without Content-Range (streamed) is appended, as skopeo and oras send it")
    func streamedPatchWithoutContentRange() async throws {
        try await withRegistry { client in
            let location = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            let next = try await client.execute(uri: location, method: .patch, body: buffer(Self.content)) { response in
                #expect(response.status == .accepted)
                #expect(response.header("Range") == "0-\(Self.content.count - 1)")
                return try #require(response.header("Location"))
            }
            try await client.execute(uri: next + "?digest=\(Digest.of(Self.content))", method: .put) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test("An out-of-order PATCH is 416 and leaves the upload where it was")
    func outOfOrderChunkIs416() async throws {
        try await withRegistry { client in
            let location = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            try await client.execute(uri: location, method: .patch,
                                     headers: [.init("Content-Range")!: "0-9"], body: buffer(Array(Self.content[0..<10])))
            try await client.execute(uri: location, method: .patch,
                                     headers: [.init("Content-Range")!: "20-29"], body: buffer(Array(Self.content[20..<30]))) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(ociErrorCodes(response) != nil)
            }
            try await client.execute(uri: location, method: .get) { response in
                #expect(response.status == .noContent)
                #expect(response.header("Range") == "0-9")
            }
        }
    }

    @Test("DELETE of an upload is 204, after which its status is 404 BLOB_UPLOAD_UNKNOWN")
    func cancelUpload() async throws {
        try await withRegistry { client in
            let location = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            try await client.execute(uri: location, method: .delete) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: location, method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["BLOB_UPLOAD_UNKNOWN"])
            }
        }
    }

    @Test("Status of an upload id that never existed is 404 BLOB_UPLOAD_UNKNOWN")
    func unknownUploadIs404() async throws {
        try await withRegistry { client in
            try await client.execute(uri: "/v2/app/blobs/uploads/0123456789abcdef0123456789abcdef", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["BLOB_UPLOAD_UNKNOWN"])
            }
        }
    }

    @Test("An upload started in one repository cannot be continued through another")
    func uploadIsBoundToItsRepository() async throws {
        try await withRegistry { client in
            let location = try await client.execute(uri: "/v2/one/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            let other = location.replacingOccurrences(of: "/v2/one/", with: "/v2/two/")
            try await client.execute(uri: other + "?digest=\(Digest.of(Self.content))", method: .put, body: buffer(Self.content)) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["BLOB_UPLOAD_UNKNOWN"])
            }
        }
    }

    @Test("PUT with a digest that does not match the content is 400 DIGEST_INVALID")
    func wrongDigestOnPut() async throws {
        try await withRegistry { client in
            let location = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            let wrong = Digest.of(Array("not the content".utf8))
            try await client.execute(uri: location + "?digest=\(wrong)", method: .put, body: buffer(Self.content)) { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["DIGEST_INVALID"])
            }
            try await client.execute(uri: "/v2/app/blobs/\(wrong)", method: .head) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("PUT without the digest parameter, or with a malformed one, is 400", arguments: ["", "?digest=sha256:1234", "?digest=nonsense"])
    func missingOrMalformedDigestOnPut(_ query: String) async throws {
        try await withRegistry { client in
            let location = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post) { try #require($0.header("Location")) }
            try await client.execute(uri: location + query, method: .put, body: buffer(Self.content)) { response in
                #expect(response.status == .badRequest)
                #expect(ociErrorCodes(response) == ["DIGEST_INVALID"])
            }
        }
    }
}
