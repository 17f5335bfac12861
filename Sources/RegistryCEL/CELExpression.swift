import Foundation

/// A compiled expression of the CEL subset Zot's bearer `claimMapping` uses: member access and indexing on the
/// declared variables (`claims`, `vars`), string/int/bool/null and list literals, `+`, `==`, `!=`, `&&`, `||`,
/// `!`, `in`, `has()`, and the string methods `startsWith`, `endsWith`, `contains`, `matches`. Anything else is
/// refused when compiling, naming the construct.
///
/// Evaluation follows CEL: `&&`/`||` are commutative over errors (`false && error` is `false`, `true || error` is
/// `true`), a missing key is an error, `has()` tests presence, and no implicit conversions happen.
public struct CELExpression: Sendable, Hashable, CustomStringConvertible {
    /// The source text.
    public let source: String
    private let root: CELNode

    /// Compiles `source`; `identifiers` are the variables it may name.
    public init(_ source: String, identifiers: Set<String> = ["claims", "vars"]) throws(CELError) {
        self.source = source
        root = try CELParser.parse(source, identifiers: identifiers)
    }

    public var description: String { source }

    /// Evaluates with `bindings` for the variables.
    public func evaluate(_ bindings: [String: CELValue]) throws(CELError) -> CELValue {
        try Self.evaluate(root, bindings)
    }

    private static func evaluate(_ node: CELNode, _ bindings: [String: CELValue]) throws(CELError) -> CELValue {
        switch node {
        case .literal(let value):
            return value
        case .identifier(let name):
            guard let value = bindings[name] else { throw .evaluation("undeclared reference to '\(name)'") }
            return value
        case .list(let elements):
            var values: [CELValue] = []
            for element in elements { values.append(try evaluate(element, bindings)) }
            return .list(values)
        case .member(let base, let field):
            guard case .map(let entries) = try evaluate(base, bindings) else { throw .evaluation("no field '\(field)' on a non-map") }
            guard let value = entries[field] else { throw .evaluation("no such key: \(field)") }
            return value
        case .index(let base, let key):
            let container = try evaluate(base, bindings)
            let index = try evaluate(key, bindings)
            switch (container, index) {
            case (.map(let entries), .string(let name)):
                guard let value = entries[name] else { throw .evaluation("no such key: \(name)") }
                return value
            case (.list(let values), .int(let position)):
                guard position >= 0, position < values.count else { throw .evaluation("index out of range: \(position)") }
                return values[Int(position)]
            default:
                throw .evaluation("cannot index \(container.typeName) with \(index.typeName)")
            }
        case .has(let selection):
            guard case .member(let base, let field) = selection else { throw .evaluation("has() needs a field selection") }
            guard case .map(let entries) = try evaluate(base, bindings) else { throw .evaluation("has() on a non-map") }
            return .bool(entries[field] != nil)
        case .not(let operand):
            guard case .bool(let value) = try evaluate(operand, bindings) else { throw .evaluation("'!' needs a bool") }
            return .bool(!value)
        case .binary(let symbol, let lhs, let rhs):
            return try binary(symbol, lhs, rhs, bindings)
        case .method(let receiver, let name, let arguments):
            return try method(name, try evaluate(receiver, bindings), arguments.map { node throws(CELError) in try evaluate(node, bindings) })
        }
    }

    private static func binary(_ symbol: String, _ lhs: CELNode, _ rhs: CELNode, _ bindings: [String: CELValue]) throws(CELError) -> CELValue {
        if symbol == "&&" || symbol == "||" {
            let absorbing = symbol == "||"
            let left = Result { () throws(CELError) in try evaluate(lhs, bindings) }
            if case .success(.bool(absorbing)) = left { return .bool(absorbing) }
            let right = Result { () throws(CELError) in try evaluate(rhs, bindings) }
            if case .success(.bool(absorbing)) = right { return .bool(absorbing) }
            guard case .success(.bool) = left else { return try left.get().requireBool(symbol) }
            guard case .success(.bool) = right else { return try right.get().requireBool(symbol) }
            return .bool(!absorbing)
        }
        let left = try evaluate(lhs, bindings)
        let right = try evaluate(rhs, bindings)
        switch symbol {
        case "==": return .bool(CELValue.equal(left, right))
        case "!=": return .bool(!CELValue.equal(left, right))
        case "in":
            switch right {
            case .list(let values): return .bool(values.contains { CELValue.equal($0, left) })
            case .map(let entries):
                guard case .string(let key) = left else { return .bool(false) }
                return .bool(entries[key] != nil)
            default: throw .evaluation("'in' needs a list or map on the right, got \(right.typeName)")
            }
        default:
            switch (left, right) {
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.list(let a), .list(let b)): return .list(a + b)
            case (.int(let a), .int(let b)):
                let (sum, overflow) = a.addingReportingOverflow(b)
                guard !overflow else { throw .evaluation("integer overflow") }
                return .int(sum)
            case (.double(let a), .double(let b)): return .double(a + b)
            default: throw .evaluation("no matching overload for '+' on \(left.typeName) and \(right.typeName)")
            }
        }
    }

    private static func method(_ name: String, _ receiver: CELValue, _ arguments: [CELValue]) throws(CELError) -> CELValue {
        guard case .string(let text) = receiver, arguments.count == 1, case .string(let argument) = arguments[0] else {
            throw .evaluation("\(name)() takes a string receiver and one string argument")
        }
        switch name {
        case "startsWith": return .bool(text.hasPrefix(argument))
        case "endsWith": return .bool(text.hasSuffix(argument))
        case "contains": return .bool(argument.isEmpty || text.contains(argument))
        default:
            // The empty pattern matches every string (RE2, as cel-spec's string/matches cases check).
            if argument.isEmpty { return .bool(true) }
            guard let expression = try? NSRegularExpression(pattern: argument) else { throw .evaluation("invalid regular expression '\(argument)'") }
            let range = NSRange(text.startIndex..., in: text)
            return .bool(expression.firstMatch(in: text, range: range) != nil)
        }
    }
}

extension CELValue {
    fileprivate func requireBool(_ symbol: String) throws(CELError) -> CELValue {
        guard case .bool = self else { throw .evaluation("'\(symbol)' needs bool operands, got \(typeName)") }
        return self
    }
}
