import RegistryCore
import Testing

@Suite("RepositoryName")
struct RepositoryNameTests {
    static let longestValid = String(repeating: "a", count: 255)

    @Test("names matching the OCI grammar are accepted", arguments: [
        "a", "a/b", "a.b", "a_b", "a__b", "a---b", "library/ubuntu", "0", "a1/b2/c3",
        "team/x/y", "my-org/my.app_v2", longestValid,
        String(repeating: "ab/", count: 84) + "abc", // 255 chars across many components
    ])
    func validNames(text: String) throws {
        let name = try #require(RepositoryName(text))
        #expect(name.value == text)
        #expect(RepositoryName.isValid(text))
    }

    @Test("names outside the OCI grammar are rejected", arguments: [
        "", "A", "Library/ubuntu", "a/", "/a", "a//b", "..", ".", "a/../b", "a/./b", "../a",
        "-a", "a-", "_a", "a_", ".a", "a.", "a___b", "a.-b", "a-.b", "a._b", "a..b",
        longestValid + "a", "a b", " a", "a\n", "a%2fb", "a\\b", "a:b", "a@b",
        "café", "ａ", "a\u{0}b", "a/b/",
    ])
    func invalidNames(text: String) {
        #expect(RepositoryName(text) == nil)
        #expect(!RepositoryName.isValid(text))
    }

    @Test("components split on slashes")
    func components() {
        #expect(repo("team/x/y").components == ["team", "x", "y"])
    }
}
