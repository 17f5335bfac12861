/// The `<reference>` of a manifest URL: a tag or a digest.
public enum Reference: Hashable, Sendable, CustomStringConvertible {
    /// A tag matching `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    case tag(String)
    /// A content digest.
    case digest(Digest)

    /// Parses a reference; a string containing `:` must be a valid digest, anything else a valid tag.
    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let digest = Digest(text) else { return nil }
            self = .digest(digest)
        } else {
            guard Self.isValidTag(text) else { return nil }
            self = .tag(String(text))
        }
    }

    public var description: String {
        switch self {
        case .tag(let tag): return tag
        case .digest(let digest): return digest.description
        }
    }

    /// Whether `text` matches the OCI tag grammar.
    public static func isValidTag(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func word(_ b: UInt8) -> Bool {
            (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_")
        }
        guard word(first) else { return false }
        return bytes.dropFirst().allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}
