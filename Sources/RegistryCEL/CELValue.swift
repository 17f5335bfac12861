import Foundation

/// A value of the CEL subset: what claims decode to, and what expressions produce.
public enum CELValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case list([CELValue])
    case map([String: CELValue])

    /// The CEL type name, for error messages.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .double: "double"
        case .bool: "bool"
        case .null: "null_type"
        case .list: "list"
        case .map: "map"
        }
    }

    public var description: String {
        switch self {
        case .string(let text): "'\(text)'"
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        case .null: "null"
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries): "{" + entries.keys.sorted().map { "'\($0)': \(entries[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    /// CEL equality: numbers compare across int and double; otherwise same type and same value.
    static func equal(_ lhs: CELValue, _ rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .double(let b)): Double(a) == b
        case (.double(let a), .int(let b)): a == Double(b)
        case (.list(let a), .list(let b)): a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.map(let a), .map(let b)): a.count == b.count && a.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
        default: lhs == rhs
        }
    }
}
