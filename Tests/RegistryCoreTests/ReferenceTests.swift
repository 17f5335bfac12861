import RegistryCore
import Testing

@Suite("Reference")
struct ReferenceTests {
    @Test("tags matching [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127} parse as tags", arguments: [
        "latest", "v1.2.3", "_private", "A", "0", "Release-Candidate_1.x",
        "a" + String(repeating: "b", count: 127),
    ])
    func validTags(text: String) throws {
        let reference = try #require(Reference(text))
        #expect(reference == .tag(text))
        #expect(reference.description == text)
    }

    @Test("invalid tags are rejected", arguments: [
        "", ".hidden", "-dash", "a" + String(repeating: "b", count: 128), "a/b", "a b",
        "ta+g", "ünïcode", "a\n", "..", "%2e",
    ])
    func invalidTags(text: String) {
        #expect(Reference(text) == nil)
        #expect(!Reference.isValidTag(text))
    }

    @Test("a reference containing a colon must be a valid digest")
    func digests() throws {
        #expect(Reference(sha256Hello) == .digest(digest(sha256Hello)))
        #expect(try #require(Reference(sha512Empty)).description == sha512Empty)
        #expect(Reference("sha256:abc") == nil)
        #expect(Reference("v1:latest") == nil)
        #expect(Reference(String(sha256Hello.dropFirst(7)).uppercased()) != nil, "64 hex without a colon is just a tag")
    }
}
