/// A validated, driver-relative path such as `/library/alpine/blobs/sha256/<hex>`.
///
/// Every path a driver sees went through this check, so no driver needs to defend against
/// traversal: a path starts with `/`, has no empty, `.` or `..` component, no trailing `/`
/// (except the root `/` itself), and each component uses only `A-Z a-z 0-9 . _ - :` (at most
/// 255 bytes; the whole path at most 4096). Drivers map it onto their namespace: the filesystem
/// driver below its root directory, S3 below its key prefix.
public struct StoragePath: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The path text, always starting with `/`.
    public let value: String

    /// The storage root, `/`.
    public static let root = StoragePath(unchecked: "/")

    /// Validates `text`; throws `StorageDriverError.invalidPath` naming the reason.
    public init(_ text: String) throws(StorageDriverError) {
        if let reason = Self.problem(in: text) { throw .invalidPath(text, reason: reason) }
        value = text
    }

    private init(unchecked text: String) { value = text }

    /// Builds a path from components (each validated as above).
    public init(components: [String]) throws(StorageDriverError) {
        try self.init(components.isEmpty ? "/" : "/" + components.joined(separator: "/"))
    }

    /// The components, empty for the root.
    public var components: [String] {
        value == "/" ? [] : value.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }

    /// The last component (`""` for the root).
    public var lastComponent: String { components.last ?? "" }

    /// The parent directory; the root's parent is the root.
    public var parent: StoragePath {
        guard let slash = value.lastIndex(of: "/"), slash != value.startIndex else { return .root }
        return StoragePath(unchecked: String(value[value.startIndex..<slash]))
    }

    /// This path with `relative` (one or more `/`-separated components) appended.
    public func appending(_ relative: String) throws(StorageDriverError) -> StoragePath {
        try StoragePath(value == "/" ? "/" + relative : value + "/" + relative)
    }

    /// Whether `self` equals `other` or lies below it.
    public func isWithin(_ other: StoragePath) -> Bool {
        other.value == "/" || value == other.value || value.hasPrefix(other.value + "/")
    }

    /// The reason `text` is not a valid path, or `nil`.
    public static func problem(in text: String) -> String? {
        guard text.utf8.first == UInt8(ascii: "/") else { return "must start with /" }
        if text == "/" { return nil }
        guard text.utf8.count <= 4096 else { return "longer than 4096 bytes" }
        for component in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            if component.isEmpty { return "has an empty component (// or a trailing /)" }
            if component.count > 255 { return "has a component longer than 255 bytes" }
            if component.allSatisfy({ $0 == UInt8(ascii: ".") }) { return "has a . or .. component" }
            for byte in component where !isAllowed(byte) {
                return "contains a character outside A-Z a-z 0-9 . _ - : (byte \(byte))"
            }
        }
        return nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "-"), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }

    public var description: String { value }

    public static func < (lhs: StoragePath, rhs: StoragePath) -> Bool { lhs.value < rhs.value }
}
