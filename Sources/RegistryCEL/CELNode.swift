/// The syntax tree of the supported subset.
indirect enum CELNode: Sendable, Hashable {
    case literal(CELValue)
    case identifier(String)
    case list([CELNode])
    case member(CELNode, String)
    case index(CELNode, CELNode)
    case not(CELNode)
    case binary(String, CELNode, CELNode)
    case has(CELNode)
    case method(CELNode, String, [CELNode])
}

/// A recursive-descent parser: `||` < `&&` < `==`/`!=`/`in` < `+` < `!` < member, index and method calls.
struct CELParser {
    static let methods: Set<String> = ["startsWith", "endsWith", "contains", "matches"]
    private var tokens: [CELLexer.Token]
    private var position = 0
    private let identifiers: Set<String>

    static func parse(_ text: String, identifiers: Set<String>) throws(CELError) -> CELNode {
        var parser = CELParser(tokens: try CELLexer.tokens(text), identifiers: identifiers)
        let node = try parser.orExpression()
        guard parser.current == .end else { throw .syntax("unexpected \(parser.describe(parser.current))") }
        return node
    }

    private init(tokens: [CELLexer.Token], identifiers: Set<String>) {
        self.tokens = tokens
        self.identifiers = identifiers
    }

    private var current: CELLexer.Token { tokens[position] }
    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }
    private mutating func accept(_ symbol: String) -> Bool {
        guard current == .symbol(symbol) else { return false }
        advance()
        return true
    }
    private mutating func expect(_ symbol: String) throws(CELError) {
        guard accept(symbol) else { throw .syntax("expected '\(symbol)', found \(describe(current))") }
    }

    private func describe(_ token: CELLexer.Token) -> String {
        switch token {
        case .identifier(let name): "'\(name)'"
        case .string: "a string"
        case .int, .double: "a number"
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "the end"
        }
    }

    private mutating func orExpression() throws(CELError) -> CELNode {
        var node = try andExpression()
        while accept("||") { node = .binary("||", node, try andExpression()) }
        return node
    }

    private mutating func andExpression() throws(CELError) -> CELNode {
        var node = try relation()
        while accept("&&") { node = .binary("&&", node, try relation()) }
        return node
    }

    private mutating func relation() throws(CELError) -> CELNode {
        let node = try addition()
        for symbol in ["==", "!="] where accept(symbol) { return .binary(symbol, node, try addition()) }
        if current == .identifier("in") {
            advance()
            return .binary("in", node, try addition())
        }
        return node
    }

    private mutating func addition() throws(CELError) -> CELNode {
        var node = try unary()
        while accept("+") { node = .binary("+", node, try unary()) }
        return node
    }

    private mutating func unary() throws(CELError) -> CELNode {
        if accept("!") { return .not(try unary()) }
        return try postfix()
    }

    private mutating func postfix() throws(CELError) -> CELNode {
        var node = try primary()
        while true {
            if accept(".") {
                guard case .identifier(let name) = current else { throw .syntax("expected a field name after '.'") }
                advance()
                if accept("(") {
                    guard Self.methods.contains(name) else { throw .unsupported("the function '\(name)()'") }
                    node = .method(node, name, try arguments())
                } else {
                    node = .member(node, name)
                }
            } else if accept("[") {
                let key = try orExpression()
                try expect("]")
                node = .index(node, key)
            } else {
                return node
            }
        }
    }

    private mutating func arguments() throws(CELError) -> [CELNode] {
        var list: [CELNode] = []
        if accept(")") { return list }
        repeat { list.append(try orExpression()) } while accept(",")
        try expect(")")
        return list
    }

    private mutating func primary() throws(CELError) -> CELNode {
        let token = current
        advance()
        switch token {
        case .string(let value): return .literal(.string(value))
        case .int(let value): return .literal(.int(value))
        case .double(let value): return .literal(.double(value))
        case .identifier("true"): return .literal(.bool(true))
        case .identifier("false"): return .literal(.bool(false))
        case .identifier("null"): return .literal(.null)
        case .identifier(let name):
            if accept("(") {
                guard name == "has" else { throw .unsupported("the function '\(name)()'") }
                let arguments = try arguments()
                guard arguments.count == 1, case .member = arguments[0] else {
                    throw .syntax("has() takes one field selection, e.g. has(claims.email)")
                }
                return .has(arguments[0])
            }
            guard identifiers.contains(name) else {
                throw .unsupported("the identifier '\(name)' (known: \(identifiers.sorted().joined(separator: ", ")))")
            }
            return .identifier(name)
        case .symbol("("):
            let node = try orExpression()
            try expect(")")
            return node
        case .symbol("["):
            var elements: [CELNode] = []
            if accept("]") { return .list(elements) }
            repeat { elements.append(try orExpression()) } while accept(",")
            try expect("]")
            return .list(elements)
        default:
            throw .syntax("unexpected \(describe(token))")
        }
    }
}
