import RegistryCore
import Testing

@Suite("HTTP optional whitespace")
struct HeaderTextTests {
    @Test("Spaces and tabs are trimmed from both ends, nothing else", arguments: [
        ("  Bearer abc \t", "Bearer abc"), ("\tx", "x"), ("x", "x"), ("", ""), ("   ", ""), (" a b ", "a b"),
        ("\u{00A0}x\u{00A0}", "\u{00A0}x\u{00A0}"), ("\nx\n", "\nx\n"), (" é ", "é"),
    ])
    func trims(_ input: String, _ expected: String) {
        #expect(input.trimmingHTTPWhitespace() == expected)
        #expect(Substring(input).trimmingHTTPWhitespace() == expected)
    }
}
