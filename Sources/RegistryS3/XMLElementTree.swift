import Foundation

/// A parsed XML element: the small tree S3's responses need (names without namespace prefixes, text, children).
///
/// Parsed by ``XMLElementTree/parse(_:)``, our own reader of the XML subset S3 sends (elements, attributes, text,
/// the five predefined entities and character references, CDATA, comments, processing instructions). A document
/// type declaration is refused, so no entity can be defined or expanded. (Foundation's `XMLParser` would link
/// libxml2 and ICU into the binary, which must need nothing but glibc.)
public struct XMLElementTree: Sendable, Hashable {
    public var name: String
    public var text: String
    public var children: [XMLElementTree]

    /// The first child called `name`.
    public func child(_ name: String) -> XMLElementTree? { children.first { $0.name == name } }
    /// Every child called `name`, in document order.
    public func all(_ name: String) -> [XMLElementTree] { children.filter { $0.name == name } }
    /// The text of the first child called `name`.
    public func text(of name: String) -> String? { child(name)?.text }

    /// The deepest nesting accepted.
    static let maximumDepth = 64

    /// Parses a whole document; `nil` when it is not well-formed XML (or declares a document type).
    public static func parse(_ bytes: [UInt8]) -> XMLElementTree? {
        var reader = XMLReader(bytes: bytes)
        return reader.document()
    }
}

/// The byte-level reader behind ``XMLElementTree/parse(_:)``.
private struct XMLReader {
    let bytes: [UInt8]
    var position = 0
    /// Open elements: full name (for the end-tag check) and the tree being built.
    var stack: [(qualified: [UInt8], tree: XMLElementTree)] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() -> XMLElementTree? {
        var root: XMLElementTree?
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "<") {
                if starts("<?") {
                    guard skip(past: "?>") else { return nil }
                } else if starts("<!--") {
                    guard skip(past: "-->") else { return nil }
                } else if starts("<![CDATA[") {
                    position += 9
                    guard !stack.isEmpty, let end = find("]]>") else { return nil }
                    appendText(String(decoding: bytes[position..<end], as: UTF8.self))
                    position = end + 3
                } else if starts("<!") {
                    return nil  // DOCTYPE and other declarations: refused (no entity definitions, ever)
                } else if starts("</") {
                    guard let done = endTag() else { return nil }
                    if stack.isEmpty { root = done } else { stack[stack.count - 1].tree.children.append(done) }
                } else {
                    guard root == nil, let closed = startTag() else { return nil }
                    if let closed {
                        if stack.isEmpty { root = closed } else { stack[stack.count - 1].tree.children.append(closed) }
                    }
                }
            } else {
                let start = position
                while position < bytes.count && bytes[position] != UInt8(ascii: "<") { position += 1 }
                let raw = bytes[start..<position]
                if stack.isEmpty {
                    guard raw.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return nil }
                    continue
                }
                guard let text = Self.decodeEntities(raw) else { return nil }
                appendText(text)
            }
        }
        return stack.isEmpty ? root : nil
    }

    private mutating func appendText(_ text: String) {
        stack[stack.count - 1].tree.text += text
    }

    /// Reads `<name attrs>` or `<name attrs/>`; returns `.some(element)` for a self-closed one, `.some(nil)` when
    /// the element was opened, `nil` when malformed.
    private mutating func startTag() -> XMLElementTree?? {
        position += 1
        let nameStart = position
        while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
        guard position > nameStart else { return nil }
        let qualified = Array(bytes[nameStart..<position])
        // Attributes are skipped (S3 puts nothing we read in them); quoted values may hold '>'.
        var quote: UInt8?
        while position < bytes.count {
            let byte = bytes[position]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                break
            } else if byte == UInt8(ascii: "<") {
                return nil
            }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let selfClosed = bytes[position - 1] == UInt8(ascii: "/") && quote == nil
        position += 1
        let element = XMLElementTree(name: Self.localName(qualified), text: "", children: [])
        if selfClosed { return .some(element) }
        guard stack.count < XMLElementTree.maximumDepth else { return nil }
        stack.append((qualified, element))
        return .some(nil)
    }

    /// Reads `</name>` and closes the open element of that name.
    private mutating func endTag() -> XMLElementTree? {
        position += 2
        let nameStart = position
        while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
        let qualified = Array(bytes[nameStart..<position])
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ">"), let open = stack.last, open.qualified == qualified else {
            return nil
        }
        position += 1
        return stack.removeLast().tree
    }

    private func starts(_ text: String) -> Bool {
        let pattern = Array(text.utf8)
        return bytes.count - position >= pattern.count && bytes[position..<position + pattern.count].elementsEqual(pattern)
    }

    private func find(_ text: String) -> Int? {
        let pattern = Array(text.utf8)
        var index = position
        while index + pattern.count <= bytes.count {
            if bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private mutating func skip(past text: String) -> Bool {
        guard let end = find(text) else { return false }
        position = end + text.utf8.count
        return true
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"), 0x80...0xFF:
            return true
        default:
            return false
        }
    }

    private static func localName(_ qualified: [UInt8]) -> String {
        let local = qualified.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).last ?? qualified[...]
        return String(decoding: local, as: UTF8.self)
    }

    /// Text with `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#N;` / `&#xH;` decoded; `nil` for any other entity.
    static func decodeEntities(_ raw: ArraySlice<UInt8>) -> String? {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                index += 1
                continue
            }
            guard let semicolon = raw[index...].firstIndex(of: UInt8(ascii: ";")), semicolon - index <= 12 else { return nil }
            let name = String(decoding: raw[(index + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let number: UInt32?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    number = UInt32(name.dropFirst(2), radix: 16)
                } else if name.hasPrefix("#") {
                    number = UInt32(name.dropFirst(), radix: 10)
                } else {
                    number = nil
                }
                guard let number, number != 0, let scalar = Unicode.Scalar(number) else { return nil }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum XMLEscaping {
    /// Escapes text for an element body.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
