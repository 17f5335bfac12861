import Foundation
@testable import RegistryStorage
import RegistryCore
import Testing

@Suite("index.json: parsing, rewriting and the parsed-index cache")
struct LayoutIndexTests {
    static let manifestType = "application/vnd.oci.image.manifest.v1+json"

    @Test("Fields this code does not know survive a rewrite, and the output is sorted, compact JSON")
    func unknownFieldsSurvive() throws {
        let text = #"{"schemaVersion":2,"annotations":{"x/y":"z"},"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(String(repeating: "a", count: 64))","size":7,"platform":{"architecture":"arm64","os":"linux","os.features":["a"]},"annotations":{"org.opencontainers.image.ref.name":"v1","note":"tab\there \"quoted\" \\ \u0001"},"data":null,"weight":1.5,"flag":true}]}"#
        var index = try LayoutIndex(bytes: Array(text.utf8))
        #expect(index.tags == ["v1"])
        _ = index.setTag("v2", digest: Digest.of([1]), mediaType: Self.manifestType, size: 1)
        let rewritten = index.encoded()
        guard case .object(let original)? = IndexJSON.parse(Array(text.utf8)), case .object(let reread)? = IndexJSON.parse(rewritten),
              case .array(let before)? = original["manifests"], case .array(let after)? = reread["manifests"] else {
            Issue.record("not JSON objects with manifests")
            return
        }
        #expect(after.first == before.first, "the known entry is unchanged, field for field")
        #expect(reread["annotations"] == original["annotations"])
        #expect(String(decoding: rewritten, as: UTF8.self).hasPrefix(#"{"annotations":{"x/y":"z"},"manifests":[{"annotations":"#))
        #expect(try LayoutIndex(bytes: rewritten).encoded() == rewritten, "a rewrite of a rewrite is byte-identical")
    }

    @Test("A 3,000-tag index round-trips: every tag, once, pointing where it was set")
    func largeIndexRoundTrips() throws {
        var index = LayoutIndex()
        for number in 0..<3_000 {
            _ = index.setTag("t\(number)", digest: Digest.of(Array("\(number)".utf8)), mediaType: Self.manifestType, size: 10)
        }
        let reread = try LayoutIndex(bytes: index.encoded())
        #expect(reread.tags.count == 3_000)
        #expect(reread.entry(tag: "t2999")?.digest == Digest.of(Array("2999".utf8)))
    }

    @Test("An index.json rewritten behind the cache (another writer) is read again")
    func cacheNoticesOtherWriters() async throws {
        let driver = InMemoryDriver()
        let ours = LayoutStorage(driver: driver), other = LayoutStorage(driver: driver)
        let body = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.utf8)
        try await pushBlob(ours, repo("app"), Array("{}".utf8))
        let manifest = try ParsedManifest.parse(body, contentType: Self.manifestType)
        _ = try await ours.putManifest(repo("app"), reference: .tag("one"), body: body, manifest: manifest)
        #expect(try await ours.tags(repo("app")) == ["one"])
        try await Task.sleep(for: .milliseconds(5))
        _ = try await other.putManifest(repo("app"), reference: .tag("two"), body: body, manifest: manifest)
        #expect(try await ours.tags(repo("app")) == ["one", "two"])
    }
}
