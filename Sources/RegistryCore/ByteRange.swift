/// Parsing of the byte-range headers the distribution spec uses.
public enum ByteRange {
    /// Parses a request `Range: bytes=a-b` (also `a-` and `-n`) against a blob of `size` bytes.
    /// Returns `nil` when the header is not a single byte range we understand (serve the whole
    /// blob), and throws `rangeInvalid` when it is syntactically a range but not satisfiable.
    public static func parseRequestRange(_ header: String, size: Int64) throws(RegistryError) -> ClosedRange<Int64>? {
        let text = header.trimmingCharactersInWhitespace()
        guard text.hasPrefix("bytes=") else { return nil }
        let spec = text.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let startText = spec[spec.startIndex..<dash]
        let endText = spec[spec.index(after: dash)...]
        let unsatisfiable = RegistryError(.rangeInvalid, detail: "range \(text) is outside a blob of \(size) bytes")
        if startText.isEmpty {
            guard let suffix = Int64(endText), suffix > 0 else { return nil }
            guard size > 0 else { throw unsatisfiable }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int64(startText), start >= 0 else { return nil }
        let end: Int64
        if endText.isEmpty {
            end = size - 1
        } else {
            guard let parsed = Int64(endText), parsed >= start else { return nil }
            end = min(parsed, size - 1)
        }
        guard start < size else { throw unsatisfiable }
        return start...end
    }

    /// Parses a chunk upload `Content-Range: a-b` (also accepts a `bytes ` prefix and `a-b/total`).
    public static func parseContentRange(_ header: String) -> ClosedRange<Int64>? {
        var text = Substring(header.trimmingCharactersInWhitespace())
        if text.hasPrefix("bytes ") { text = text.dropFirst(6) } else if text.hasPrefix("bytes=") { text = text.dropFirst(6) }
        if let slash = text.firstIndex(of: "/") { text = text[text.startIndex..<slash] }
        guard let dash = text.firstIndex(of: "-"),
              let start = Int64(text[text.startIndex..<dash]),
              let end = Int64(text[text.index(after: dash)...]),
              start >= 0, end >= start else { return nil }
        return start...end
    }
}

extension String {
    func trimmingCharactersInWhitespace() -> String {
        String(trimmingHTTPWhitespace())
    }
}
