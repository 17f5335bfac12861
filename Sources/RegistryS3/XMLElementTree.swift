import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: the small tree S3's responses need (names without namespace prefixes, text, children).
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

    /// Parses a whole document; `nil` when it is not well-formed XML. External entities are not resolved.
    public static func parse(_ bytes: [UInt8]) -> XMLElementTree? {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse() else { return nil }
        return builder.root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLElementTree] = []
        var root: XMLElementTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(XMLElementTree(name: local, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }
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
