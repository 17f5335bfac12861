import Foundation
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

@Suite("RFC 3339 UTC timestamps")
struct RFC3339TimeTests {
    @Test("Match Foundation's ISO 8601 output to the second, and its FormatStyle output to the millisecond", arguments: [
        0.0, 1_764_790_242.0, 1_764_790_242.1239, 951_782_400.999, 4_102_444_799.5, 1_000_000_000.0004,
    ])
    func matchesFoundation(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        #expect(RFC3339Time.string(from: date) == plain.string(from: date))
        // Milliseconds truncated, as the audit trail's FormatStyle wrote them before: the format is unchanged.
        #expect(RFC3339Time.string(from: date, milliseconds: true)
                == date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)))
    }
}
