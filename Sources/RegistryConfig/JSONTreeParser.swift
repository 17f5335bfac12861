/// A strict RFC 8259 JSON parser producing `ConfigNode`s: keys keep their order, duplicates are reported, and
/// syntax errors carry a line and column. Nesting is limited so hostile input cannot exhaust the stack.
struct JSONTreeParser {
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var offset = 0
    private var duplicateKeys: [ConfigProblem] = []

    private init(text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses a whole document; throws on the first syntax error, or with every duplicate key found.
    static func parse(_ text: String) throws(ConfigError) -> ConfigNode {
        var parser = JSONTreeParser(text: text)
        parser.skipWhitespace()
        if parser.offset == parser.bytes.count {
            throw ConfigError(path: "(file)", message: "the file is empty (expected a JSON object)")
        }
        let root = try parser.parseValue(path: .root, depth: 0)
        parser.skipWhitespace()
        if parser.offset < parser.bytes.count {
            throw parser.syntaxError("unexpected \(parser.describeCurrent()) after the end of the JSON document")
        }
        if !parser.duplicateKeys.isEmpty {
            throw ConfigError(problems: parser.duplicateKeys)
        }
        return root
    }

    private mutating func parseValue(path: ConfigPath, depth: Int) throws(ConfigError) -> ConfigNode {
        guard depth < Self.maximumDepth else {
            throw syntaxError("values are nested more than \(Self.maximumDepth) levels deep")
        }
        guard let byte = current else { throw syntaxError("unexpected end of input (expected a value)") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(path: path, depth: depth)
        case UInt8(ascii: "["): return try parseArray(path: path, depth: depth)
        case UInt8(ascii: "\""): return ConfigNode(path: path, value: .string(try parseString()))
        case UInt8(ascii: "t"): try expectWord("true"); return ConfigNode(path: path, value: .bool(true))
        case UInt8(ascii: "f"): try expectWord("false"); return ConfigNode(path: path, value: .bool(false))
        case UInt8(ascii: "n"): try expectWord("null"); return ConfigNode(path: path, value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return ConfigNode(path: path, value: .number(try parseNumber()))
        default:
            throw syntaxError("unexpected \(describeCurrent()) (expected a value)")
        }
    }

    private mutating func parseObject(path: ConfigPath, depth: Int) throws(ConfigError) -> ConfigNode {
        offset += 1
        var members: [(key: String, node: ConfigNode)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return ConfigNode(path: path, value: .object(members))
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw syntaxError("unexpected \(describeCurrent()) (expected a quoted key)")
            }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw syntaxError("unexpected \(describeCurrent()) (expected ':' after key \(ConfigPath.quote(key)))")
            }
            offset += 1
            skipWhitespace()
            let memberPath = path.appending(key: key)
            let node = try parseValue(path: memberPath, depth: depth + 1)
            if seen.insert(key).inserted {
                members.append((key, node))
            } else {
                duplicateKeys.append(ConfigProblem(path: memberPath.description, message: "duplicate key"))
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; return ConfigNode(path: path, value: .object(members))
            default: throw syntaxError("unexpected \(describeCurrent()) (expected ',' or '}' after an object member)")
            }
        }
    }

    private mutating func parseArray(path: ConfigPath, depth: Int) throws(ConfigError) -> ConfigNode {
        offset += 1
        var elements: [ConfigNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            return ConfigNode(path: path, value: .array(elements))
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(path: path.appending(index: elements.count), depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; return ConfigNode(path: path, value: .array(elements))
            default: throw syntaxError("unexpected \(describeCurrent()) (expected ',' or ']' after a list element)")
            }
        }
    }

    private mutating func parseString() throws(ConfigError) -> String {
        let start = offset
        offset += 1
        var scalars = String.UnicodeScalarView()
        var pendingHighSurrogate: UInt32?
        var literalStart = offset
        func flushLiteral(upTo end: Int) {
            if end > literalStart {
                scalars.append(contentsOf: String(decoding: bytes[literalStart..<end], as: UTF8.self).unicodeScalars)
            }
        }
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                flushLiteral(upTo: offset)
                offset += 1
                if pendingHighSurrogate != nil { scalars.append("\u{FFFD}") }
                return String(scalars)
            case UInt8(ascii: "\\"):
                flushLiteral(upTo: offset)
                offset += 1
                let escaped = try parseEscape()
                if let high = pendingHighSurrogate {
                    pendingHighSurrogate = nil
                    if (0xDC00...0xDFFF).contains(escaped),
                       let combined = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (escaped - 0xDC00)) {
                        scalars.append(combined)
                        literalStart = offset
                        continue
                    }
                    scalars.append("\u{FFFD}")
                }
                if (0xD800...0xDBFF).contains(escaped) {
                    pendingHighSurrogate = escaped
                } else {
                    scalars.append(Unicode.Scalar(escaped) ?? "\u{FFFD}")
                }
                literalStart = offset
            case 0x00..<0x20:
                throw syntaxError("control character in a string (escape it, e.g. \\n)")
            default:
                if pendingHighSurrogate != nil {
                    pendingHighSurrogate = nil
                    scalars.append("\u{FFFD}")
                }
                offset += 1
            }
        }
        offset = start
        throw syntaxError("unterminated string")
    }

    /// Parses the part after a backslash and returns the code unit it denotes.
    private mutating func parseEscape() throws(ConfigError) -> UInt32 {
        guard let byte = current else { throw syntaxError("unterminated string") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): return 0x22
        case UInt8(ascii: "\\"): return 0x5C
        case UInt8(ascii: "/"): return 0x2F
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"):
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = current.flatMap({ hexValue($0) }) else {
                    throw syntaxError("invalid \\u escape (expected 4 hex digits)")
                }
                value = value * 16 + digit
                offset += 1
            }
            return value
        default:
            offset -= 1
            throw syntaxError("invalid escape \\\(describeCurrent())")
        }
    }

    private mutating func parseNumber() throws(ConfigError) -> String {
        let start = offset
        if current == UInt8(ascii: "-") { offset += 1 }
        let firstDigit = offset
        let integerDigits = consumeDigits()
        guard integerDigits > 0 else { throw syntaxError("invalid number (expected a digit)") }
        if integerDigits > 1 && bytes[firstDigit] == UInt8(ascii: "0") {
            offset = start
            throw syntaxError("invalid number (leading zeros are not allowed)")
        }
        if current == UInt8(ascii: ".") {
            offset += 1
            guard consumeDigits() > 0 else { throw syntaxError("invalid number (expected a digit after '.')") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            guard consumeDigits() > 0 else { throw syntaxError("invalid number (expected a digit in the exponent)") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func consumeDigits() -> Int {
        let start = offset
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { offset += 1 }
        return offset - start
    }

    private mutating func expectWord(_ word: String) throws(ConfigError) {
        let expected = Array(word.utf8)
        guard bytes[offset...].starts(with: expected) else {
            throw syntaxError("unexpected \(describeCurrent()) (expected a value)")
        }
        offset += expected.count
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { offset += 1 }
    }

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private func describeCurrent() -> String {
        guard offset < bytes.count else { return "end of input" }
        let rest = String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self)
        guard let scalar = rest.unicodeScalars.first else { return "byte" }
        return "character " + ConfigPath.quote(String(scalar))
    }

    /// A syntax error at the current offset, with 1-based line and column (columns count characters).
    private func syntaxError(_ message: String) -> ConfigError {
        let position = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<position where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: bytes[lineStart..<position], as: UTF8.self).count + 1
        return ConfigError(path: "line \(line), column \(column)", message: "JSON syntax error: \(message)")
    }
}
