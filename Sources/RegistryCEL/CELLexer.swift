/// Splits expression text into tokens; anything outside the subset is refused by name.
struct CELLexer {
    enum Token: Equatable {
        case identifier(String)
        case string(String)
        case int(Int64)
        case double(Double)
        case symbol(String)
        case end
    }

    static func tokens(_ text: String) throws(CELError) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func peek(_ offset: Int = 0) -> Unicode.Scalar? { index + offset < scalars.count ? scalars[index + offset] : nil }
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { index += 1; continue }
            if scalar == "_" || scalar.properties.isAlphabetic {
                var name = ""
                while let next = peek(), next == "_" || next.properties.isAlphabetic || ("0"..."9").contains(next) {
                    name.unicodeScalars.append(next)
                    index += 1
                }
                tokens.append(.identifier(name))
                continue
            }
            if ("0"..."9").contains(scalar) {
                var digits = ""
                while let next = peek(), ("0"..."9").contains(next) || next == "." {
                    digits.unicodeScalars.append(next)
                    index += 1
                }
                if digits.contains(".") {
                    guard let value = Double(digits) else { throw .syntax("bad number '\(digits)'") }
                    tokens.append(.double(value))
                } else {
                    guard let value = Int64(digits) else { throw .syntax("integer '\(digits)' out of range") }
                    tokens.append(.int(value))
                }
                continue
            }
            if scalar == "'" || scalar == "\"" {
                if peek(1) == scalar, peek(2) == scalar { throw .unsupported("triple-quoted strings") }
                index += 1
                var value = ""
                var closed = false
                while let next = peek() {
                    index += 1
                    if next == scalar { closed = true; break }
                    if next == "\\" {
                        guard let escaped = peek() else { break }
                        index += 1
                        switch escaped {
                        case "\\": value += "\\"
                        case "'": value += "'"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        case "t": value += "\t"
                        case "r": value += "\r"
                        default: throw .unsupported("the string escape '\\\(escaped)'")
                        }
                        continue
                    }
                    value.unicodeScalars.append(next)
                }
                guard closed else { throw .syntax("unterminated string literal") }
                tokens.append(.string(value))
                continue
            }
            let two = peek(1).map { String(scalar) + String($0) }
            if let two, ["==", "!=", "&&", "||"].contains(two) {
                tokens.append(.symbol(two))
                index += 2
                continue
            }
            if let two, ["<=", ">="].contains(two) { throw .unsupported("the operator '\(two)'") }
            switch scalar {
            case "+", "!", "(", ")", "[", "]", ",", ".":
                tokens.append(.symbol(String(scalar)))
                index += 1
            case "-", "*", "/", "%", "<", ">": throw .unsupported("the operator '\(scalar)'")
            case "?", ":": throw .unsupported("the conditional operator '? :'")
            case "{", "}": throw .unsupported("map literals")
            default: throw .syntax("unexpected character '\(scalar)'")
            }
        }
        tokens.append(.end)
        return tokens
    }
}
