import RegistryCore
import Testing

@Suite("RegistryEndpoint.parse")
struct RegistryEndpointTests {
    static let uploadID = "0123456789abcdef0123456789abcdef"

    static let routes: [(String, RegistryEndpoint)] = [
        ("/v2/", .base),
        ("/v2", .base),
        ("/v2/_catalog", .catalog),
        ("/v2/foo/tags/list", .tagsList(repo("foo"))),
        ("/v2/team/x/y/tags/list", .tagsList(repo("team/x/y"))),
        ("/v2/tags/tags/list", .tagsList(repo("tags"))),
        ("/v2/foo/manifests/latest", .manifest(repo("foo"), .tag("latest"))),
        ("/v2/library/ubuntu/manifests/" + sha256Hello, .manifest(repo("library/ubuntu"), .digest(digest(sha256Hello)))),
        ("/v2/a/manifests/manifests/latest", .manifest(repo("a/manifests"), .tag("latest"))),
        ("/v2/manifests/manifests/latest", .manifest(repo("manifests"), .tag("latest"))),
        ("/v2/a/blobs/uploads/manifests/v1", .manifest(repo("a/blobs/uploads"), .tag("v1"))),
        ("/v2/foo/blobs/" + sha256Hello, .blob(repo("foo"), digest(sha256Hello))),
        ("/v2/blobs/blobs/" + sha256Hello, .blob(repo("blobs"), digest(sha256Hello))),
        ("/v2/a/manifests/blobs/" + sha512Empty, .blob(repo("a/manifests"), digest(sha512Empty))),
        ("/v2/foo/blobs/uploads/", .startUpload(repo("foo"))),
        ("/v2/foo/blobs/uploads", .startUpload(repo("foo"))),
        ("/v2/blobs/uploads/blobs/uploads/", .startUpload(repo("blobs/uploads"))),
        ("/v2/foo/blobs/uploads/" + uploadID, .upload(repo("foo"), uploadID)),
        ("/v2/a/b/blobs/uploads/" + uploadID, .upload(repo("a/b"), uploadID)),
        ("/v2/foo/referrers/" + sha256Hello, .referrers(repo("foo"), digest(sha256Hello))),
        ("/v2/referrers/referrers/" + sha256Hello, .referrers(repo("referrers"), digest(sha256Hello))),
    ]

    @Test("registry paths parse to the endpoint they address", arguments: routes)
    func routesParse(path: String, expected: RegistryEndpoint) throws {
        #expect(try RegistryEndpoint.parse(path: path) == expected)
    }

    @Test("the repository of an endpoint is the parsed name")
    func repositoryAccessor() throws {
        #expect(try RegistryEndpoint.parse(path: "/v2/a/b/tags/list")?.repository == repo("a/b"))
        #expect(try RegistryEndpoint.parse(path: "/v2/_catalog")?.repository == nil)
        #expect(try RegistryEndpoint.parse(path: "/v2/")?.repository == nil)
    }

    @Test("paths that are not registry routes return nil", arguments: [
        "/", "", "/v1/foo/manifests/latest", "/v2x", "/v20/foo/tags/list", "/metrics", "/v2/foo",
        "/v2/_catalog/", "/v2/foo/bar", "/V2/foo/tags/list", "/auth/token", "/v2/foo/blobs/uploads/a/b",
    ])
    func nonRegistryPaths(path: String) throws {
        #expect(try RegistryEndpoint.parse(path: path) == nil)
    }

    @Test("invalid repository names throw NAME_INVALID", arguments: [
        "/v2/Foo/manifests/latest", "/v2/a//b/tags/list", "/v2/../etc/blobs/" + sha256Hello,
        "/v2/a/../b/manifests/latest", "/v2/a%2fb/tags/list", "/v2/-a/blobs/uploads/",
        "/v2//manifests/latest", "/v2/a./referrers/" + sha256Hello, "/v2/ä/blobs/uploads/x",
    ])
    func invalidNames(path: String) {
        let error = #expect(throws: RegistryError.self) { try RegistryEndpoint.parse(path: path) }
        #expect(error?.code == .nameInvalid)
        #expect(error?.status == 400)
    }

    @Test("invalid digests throw DIGEST_INVALID", arguments: [
        "/v2/foo/blobs/sha256:abc", "/v2/foo/blobs/latest", "/v2/foo/manifests/sha256:xyz",
        "/v2/foo/referrers/sha256:" + String(repeating: "A", count: 64), "/v2/foo/manifests/md5:00",
        "/v2/foo/blobs/",
    ])
    func invalidDigests(path: String) {
        let error = #expect(throws: RegistryError.self) { try RegistryEndpoint.parse(path: path) }
        #expect(error?.code == .digestInvalid)
    }

    @Test("an invalid tag is rejected as a bad request", arguments: [
        "/v2/foo/manifests/.bad", "/v2/foo/manifests/" + String(repeating: "t", count: 129),
        "/v2/foo/manifests/",
    ])
    func invalidTags(path: String) {
        let error = #expect(throws: RegistryError.self) { try RegistryEndpoint.parse(path: path) }
        #expect(error?.status == 400)
        #expect(error?.code == .manifestInvalid)
    }
}
