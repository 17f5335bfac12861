import HTTPTypes
import HummingbirdTesting
import RegistryCore
import RegistryHTTP
import Testing

@Suite("Open upload session caps")
struct UploadSessionLimitTests {
    static let users = [(name: "alice", password: "alice-pass"), (name: "bob", password: "bob-pass")]
    static let access = #"{"repositories":{"**":{"defaultPolicy":["read","create","update","delete"]}}}"#

    static func setup(perUser: Int, perRepository: Int) -> RegistrySetup {
        var setup = RegistrySetup(users: users, accessControl: access)
        setup.configure = { $0.uploadSessionLimits = UploadSessionLimits(perUser: perUser, perRepository: perRepository) }
        return setup
    }

    @Test("past the per-user cap a new upload is 429 TOOMANYREQUESTS with the reason in message; cancelling frees a slot")
    func perUserCap() async throws {
        try await withRegistry(Self.setup(perUser: 3, perRepository: 100)) { client in
            let alice = basicAuthorization("alice", "alice-pass")
            var locations: [String] = []
            for index in 0..<3 {
                let started = try await client.execute(uri: "/v2/app\(index)/blobs/uploads/", method: .post, headers: alice)
                #expect(started.status == .accepted)
                locations.append(try #require(started.header("Location")))
            }
            try await client.execute(uri: "/v2/other/blobs/uploads/", method: .post, headers: alice) { response in
                #expect(response.status == .tooManyRequests)
                #expect(ociErrorCodes(response) == ["TOOMANYREQUESTS"])
                #expect(String(buffer: response.body).contains("user alice already has 3 open blob uploads"))
            }
            try await client.execute(uri: "/v2/other/blobs/uploads/", method: .post, headers: basicAuthorization("bob", "bob-pass")) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: locations[0], method: .delete, headers: alice) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v2/other/blobs/uploads/", method: .post, headers: alice) { response in
                #expect(response.status == .accepted)
            }
        }
    }

    @Test("past the per-repository cap a new upload is 429 whoever starts it; a completed upload frees its slot")
    func perRepositoryCap() async throws {
        try await withRegistry(Self.setup(perUser: 100, perRepository: 2)) { client in
            let alice = basicAuthorization("alice", "alice-pass")
            var first = ""
            for _ in 0..<2 {
                let started = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post, headers: alice)
                #expect(started.status == .accepted)
                first = try #require(started.header("Location"))
            }
            try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post, headers: basicAuthorization("bob", "bob-pass")) { response in
                #expect(response.status == .tooManyRequests)
                #expect(String(buffer: response.body).contains("app already has 2 open blob uploads"))
            }
            let content = Array("finished".utf8)
            try await client.execute(uri: first + "?digest=\(Digest.of(content))", method: .put, headers: alice, body: buffer(content)) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post, headers: alice) { response in
                #expect(response.status == .accepted)
            }
        }
    }
}
