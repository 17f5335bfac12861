import RegistryCore
import Testing

@Suite("Access requirements")
struct AccessRequirementTests {
    static let foo = repo("foo")
    static let existingTags: Set<String> = ["latest"]

    static func requirements(_ method: String, _ path: String, from source: RepositoryName? = nil) throws -> [AccessRequirement] {
        let endpoint = try #require(try RegistryEndpoint.parse(path: path))
        return endpoint.requirements(method: method, mountSource: source) { name, tag in
            name == foo && existingTags.contains(tag)
        }
    }

    @Test("each method and endpoint needs the action Zot would check", arguments: [
        ("GET", "/v2/foo/manifests/latest", RegistryAction.read),
        ("HEAD", "/v2/foo/manifests/latest", .read),
        ("GET", "/v2/foo/blobs/" + sha256Hello, .read),
        ("HEAD", "/v2/foo/blobs/" + sha256Hello, .read),
        ("GET", "/v2/foo/tags/list", .read),
        ("GET", "/v2/foo/referrers/" + sha256Hello, .read),
        ("PUT", "/v2/foo/manifests/latest", .update),
        ("PUT", "/v2/foo/manifests/v2", .create),
        ("PUT", "/v2/foo/manifests/" + sha256Hello, .create),
        ("DELETE", "/v2/foo/manifests/latest", .delete),
        ("DELETE", "/v2/foo/manifests/" + sha256Hello, .delete),
        ("DELETE", "/v2/foo/blobs/" + sha256Hello, .delete),
        ("POST", "/v2/foo/blobs/uploads/", .create),
        ("PATCH", "/v2/foo/blobs/uploads/0123456789abcdef0123456789abcdef", .create),
        ("PUT", "/v2/foo/blobs/uploads/0123456789abcdef0123456789abcdef", .create),
        ("GET", "/v2/foo/blobs/uploads/0123456789abcdef0123456789abcdef", .create),
        ("DELETE", "/v2/foo/blobs/uploads/0123456789abcdef0123456789abcdef", .create),
    ])
    func singleRequirement(method: String, path: String, action: RegistryAction) throws {
        #expect(try Self.requirements(method, path) == [AccessRequirement(Self.foo, action)])
    }

    @Test("a tag that exists in another repository does not make a PUT an update")
    func tagExistenceIsPerRepository() throws {
        #expect(try Self.requirements("PUT", "/v2/bar/manifests/latest") == [AccessRequirement(repo("bar"), .create)])
    }

    @Test("a cross-repository mount needs create on the target and read on the source")
    func mountNeedsReadOnSource() throws {
        let result = try Self.requirements("POST", "/v2/foo/blobs/uploads/", from: repo("team/base"))
        #expect(result == [AccessRequirement(Self.foo, .create), AccessRequirement(repo("team/base"), .read)])
    }

    @Test("the version check and the catalog need no repository access", arguments: ["/v2/", "/v2", "/v2/_catalog"])
    func noRequirements(path: String) throws {
        #expect(try Self.requirements("GET", path).isEmpty)
    }

    @Test("a requirement describes itself as action on repository")
    func description() {
        #expect(AccessRequirement(repo("a/b"), .delete).description == "delete on a/b")
    }
}
