/// A parsed config value with the path it was found at: the common tree that JSON and YAML both parse into,
/// before it is mapped onto typed structs.
struct ConfigNode: Sendable {
    /// The shape and content of a value.
    enum Value: Sendable {
        /// A mapping, keys in source order.
        case object([(key: String, node: ConfigNode)])
        case array([ConfigNode])
        case string(String)
        /// A number as written in the source (kept as text so huge or fractional values are reported exactly).
        case number(String)
        case bool(Bool)
        case null
    }

    let path: ConfigPath
    let value: Value

    /// A short name for the value's kind, used in "expected X, got Y" messages.
    var kindName: String {
        switch value {
        case .object: "an object"
        case .array: "a list"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value rendered for an error message: scalars quoted as written (truncated), containers by kind.
    var quoted: String {
        switch value {
        case .string(let text): ConfigPath.quote(text)
        case .number(let text): text.count > 40 ? String(text.prefix(40)) + "…" : text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .object, .array: kindName
        }
    }
}

/// The location of a value inside a config file, rendered like `http.accessControl.repositories."team/**".policies[0]`.
struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
    private let rendered: String

    /// The document root.
    static let root = ConfigPath(rendered: "")

    private init(rendered: String) {
        self.rendered = rendered
    }

    /// The path of a member of this object.
    func appending(key: String) -> ConfigPath {
        let component = Self.isPlainKey(key) ? key : Self.quote(key)
        return ConfigPath(rendered: rendered.isEmpty ? component : rendered + "." + component)
    }

    /// The path of an element of this list.
    func appending(index: Int) -> ConfigPath {
        ConfigPath(rendered: rendered + "[\(index)]")
    }

    var description: String { rendered.isEmpty ? "(root)" : rendered }

    /// The description cut to a readable length (for pathological nesting).
    var abbreviated: String {
        let text = description
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }

    /// Keys made only of letters, digits, `_` and `-` print bare; anything else is quoted.
    private static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
        }
    }

    /// Quotes text for a message, escaping quotes and control characters and truncating long values.
    static func quote(_ text: String, limit: Int = 80) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    escaped += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        let truncated = text.unicodeScalars.count > limit ? "…" : ""
        return "\"\(escaped)\(truncated)\""
    }
}
