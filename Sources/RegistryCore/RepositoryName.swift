/// A repository name validated against the OCI distribution-spec grammar:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
///
/// Validation happens before any filesystem path is built from a name, so `..`, absolute paths,
/// empty components and upper case can never reach storage.
public struct RepositoryName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Longest accepted name, as in CNCF Distribution.
    public static let maximumLength = 255

    /// The validated name.
    public let value: String

    /// Validates `text`; returns `nil` if it is not a legal repository name.
    public init?(_ text: some StringProtocol) {
        guard Self.isValid(text) else { return nil }
        value = String(text)
    }

    public var description: String { value }

    /// The `/`-separated components.
    public var components: [Substring] { value.split(separator: "/") }

    public static func < (lhs: RepositoryName, rhs: RepositoryName) -> Bool { lhs.value < rhs.value }

    /// Whether `text` matches the OCI name grammar.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        var index = 0
        while true {
            guard component(bytes, &index) else { return false }
            if index == bytes.count { return true }
            guard bytes[index] == UInt8(ascii: "/") else { return false }
            index += 1
        }
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39)
    }

    /// Parses one path component starting at `index`, advancing past it.
    private static func component(_ bytes: [UInt8], _ index: inout Int) -> Bool {
        func alnumRun() -> Bool {
            let start = index
            while index < bytes.count, isAlnum(bytes[index]) { index += 1 }
            return index > start
        }
        guard alnumRun() else { return false }
        while index < bytes.count, bytes[index] != UInt8(ascii: "/") {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "."):
                index += 1
            case UInt8(ascii: "_"):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "_") { index += 1 }
            case UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            default:
                return false
            }
            guard alnumRun() else { return false }
        }
        return true
    }
}
