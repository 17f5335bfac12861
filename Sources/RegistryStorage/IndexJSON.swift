import Foundation

/// A JSON value of an `index.json`, kept whole so fields this code does not know (platform, urls, other
/// annotations) survive a rewrite, and written by a serializer of our own: keys sorted, `/` unescaped, as fast as
/// appending bytes (Foundation's `JSONSerialization` took seconds for a 10,000-tag index).
indirect enum IndexJSON: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([IndexJSON])
    case object([String: IndexJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int64.self) { self = .integer(value); return }
        if let value = try? container.decode(Double.self) { self = .double(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([IndexJSON].self) { self = .array(value); return }
        self = .object(try container.decode([String: IndexJSON].self))
    }

    /// Parses a document; `nil` unless it is valid JSON.
    static func parse(_ bytes: [UInt8]) -> IndexJSON? {
        try? JSONDecoder().decode(IndexJSON.self, from: Data(bytes))
    }

    var stringValue: String? { if case .string(let value) = self { value } else { nil } }

    var objectValue: [String: IndexJSON]? { if case .object(let value) = self { value } else { nil } }

    /// The value's JSON text appended to `out`.
    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .integer(let value): out += Array(String(value).utf8)
        case .double(let value): out += Array((value.isFinite ? "\(value)" : "null").utf8)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields): Self.writeObject(fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }, to: &out)
        }
    }

    /// `{"k":v,…}` for fields already in the order wanted.
    static func writeObject(_ fields: [(key: String, value: IndexJSON)], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(field.key, to: &out)
            out.append(UInt8(ascii: ":"))
            field.value.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as `\n`, `\t`, … or `\u00XX`.
    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
