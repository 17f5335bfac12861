@testable import RegistryS3
import Testing

@Suite("The XML reader for S3 responses")
struct XMLElementTreeTests {
    static func parse(_ text: String) -> XMLElementTree? { XMLElementTree.parse(Array(text.utf8)) }

    @Test("A ListObjectsV2 answer: declaration, namespace, nested elements, entities, character references, CDATA")
    func listObjects() throws {
        let tree = try #require(Self.parse("""
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench</Name><!-- a comment -->
          <Contents><Key>zot/a&amp;b/&lt;c&gt;</Key><ETag>&quot;abc&quot;</ETag><Size>42</Size></Contents>
          <Contents><Key>caf&#233;&#x2F;x</Key><Size>7</Size></Contents>
          <IsTruncated>false</IsTruncated><Note><![CDATA[<raw & text>]]></Note><Empty/><s3:Prefixed a="1>2">v</s3:Prefixed>
        </ListBucketResult>
        """))
        #expect(tree.name == "ListBucketResult")
        #expect(tree.text(of: "Name") == "bench")
        #expect(tree.all("Contents").map { $0.text(of: "Key") } == ["zot/a&b/<c>", "café/x"])
        #expect(tree.child("Contents")?.text(of: "ETag") == "\"abc\"")
        #expect(tree.text(of: "Note") == "<raw & text>")
        #expect(tree.text(of: "Empty") == "")
        #expect(tree.text(of: "Prefixed") == "v")
    }

    @Test("Malformed documents, unknown entities and any DOCTYPE are refused", arguments: [
        "", "<a>", "<a></b>", "<a><b></a></b>", "text<a/>", "<a/><b/>", "<a>&nope;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>",
        "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "<a", "<a x=\"1></a>", "<>", "<a><!-- open</a>", "<a>&amp</a>",
        String(repeating: "<a>", count: 70) + String(repeating: "</a>", count: 70),
    ])
    func refusals(_ text: String) {
        #expect(Self.parse(text) == nil, "\(text)")
    }

    @Test("An S3 error body")
    func errorBody() throws {
        let tree = try #require(Self.parse("<Error><Code>NoSuchKey</Code><Message>The key does not exist.</Message></Error>\n"))
        #expect(tree.text(of: "Code") == "NoSuchKey")
    }
}
