import Foundation

/// Encodes small values (group lists, scopes) into TEXT columns and back.
enum JSONColumn {
    struct DecodingFailed: Error, CustomStringConvertible {
        let column: String
        var description: String { "column '\(column)' does not hold valid JSON of the expected shape" }
    }

    static func encode<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw DecodingFailed(column: column)
        }
    }
}
