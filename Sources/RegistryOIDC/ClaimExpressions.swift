import Foundation
import RegistryCEL

/// Zot's bearer `claimMapping` as CEL (the subset of ``CELExpression``): `username` and `groups` expressions,
/// `variables` evaluated in order (read as `vars.<name>`), and `validations` that must all be true.
///
/// A bare claim name (`sub`, `preferred_username`, `groups`) is read as that claim (`claims['sub']`), as this
/// registry's earlier plain-name mappings were; anything else is CEL.
public struct ClaimExpressions: Sendable, Hashable {
    /// One `variables` entry.
    public struct Variable: Sendable, Hashable {
        public let name: String
        public let expression: CELExpression
    }

    /// One `validations` entry: `expression` must be true, else the token is refused with `message`.
    public struct Validation: Sendable, Hashable {
        public let expression: CELExpression
        public let message: String
    }

    /// The user name expression; `nil` = Zot's default `claims.iss + '/' + claims.sub`.
    public let username: CELExpression?
    /// The groups expression; `nil` = the `groups` claim when present.
    public let groups: CELExpression?
    public let variables: [Variable]
    public let validations: [Validation]
    /// When `groups` is a bare claim name: an absent claim means no groups (as before CEL), not an error.
    private let groupsClaim: String?

    /// Compiles a mapping; throws the first expression outside the subset, naming where it is.
    public init(username: String?, groups: String?, variables: [(name: String, expression: String)] = [],
                validations: [(expression: String, message: String)] = []) throws(ClaimExpressionError) {
        func compile(_ text: String, _ place: String) throws(ClaimExpressionError) -> CELExpression {
            do throws(CELError) { return try CELExpression(claimMapping: text) } catch {
                throw ClaimExpressionError(place: place, error: error)
            }
        }
        self.username = try username.map { text throws(ClaimExpressionError) in try compile(text, "username") }
        self.groups = try groups.map { text throws(ClaimExpressionError) in try compile(text, "groups") }
        groupsClaim = groups.flatMap(CELExpression.plainClaimName)
        var compiledVariables: [Variable] = []
        for (index, variable) in variables.enumerated() {
            compiledVariables.append(Variable(name: variable.name, expression: try compile(variable.expression, "variables[\(index)].expression")))
        }
        self.variables = compiledVariables
        var compiledValidations: [Validation] = []
        for (index, validation) in validations.enumerated() {
            compiledValidations.append(Validation(expression: try compile(validation.expression, "validations[\(index)].expression"),
                                                  message: validation.message))
        }
        self.validations = compiledValidations
    }

    /// Evaluates against verified claims: the validations (each must be true), then user name and groups.
    public func identity(_ claims: [String: JSONValue]) throws(ClaimExpressionError) -> (username: String?, groups: [String]?) {
        var bindings: [String: CELValue] = ["claims": .map(claims.mapValues(\.celValue)), "vars": .map([:])]
        var vars: [String: CELValue] = [:]
        for variable in variables {
            do throws(CELError) { vars[variable.name] = try variable.expression.evaluate(bindings) } catch {
                throw ClaimExpressionError(place: "variables.\(variable.name)", error: error)
            }
            bindings["vars"] = .map(vars)
        }
        for validation in validations {
            let result: CELValue
            do throws(CELError) { result = try validation.expression.evaluate(bindings) } catch {
                throw ClaimExpressionError(place: "validation '\(validation.expression)'", error: error)
            }
            guard result == .bool(true) else {
                throw ClaimExpressionError(place: "validation", error: .evaluation(validation.message.isEmpty ? "'\(validation.expression)' is not true" : validation.message))
            }
        }
        var username: String?
        if let expression = self.username {
            let value: CELValue
            do throws(CELError) { value = try expression.evaluate(bindings) } catch {
                throw ClaimExpressionError(place: "username", error: error)
            }
            guard case .string(let name) = value, !name.isEmpty else {
                throw ClaimExpressionError(place: "username", error: .evaluation("'\(expression)' is not a non-empty string"))
            }
            username = name
        }
        var groups: [String]?
        if let name = groupsClaim, claims[name] == nil {
            groups = []
        } else if let expression = self.groups {
            do throws(CELError) {
                switch try expression.evaluate(bindings) {
                case .string(let group): groups = [group]
                case .list(let values): groups = values.compactMap { if case .string(let group) = $0 { group } else { nil } }
                default: throw CELError.evaluation("'\(expression)' is not a string or a list of strings")
                }
            } catch {
                throw ClaimExpressionError(place: "groups", error: error)
            }
        }
        return (username, groups)
    }
}

/// A claim-mapping expression that cannot be compiled or evaluated, with where it is.
public struct ClaimExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public let place: String
    public let error: CELError
    public var description: String { "claimMapping.\(place): \(error)" }
}

extension JSONValue {
    /// The CEL value of a JSON claim (numbers are doubles, as JSON has no integers).
    var celValue: CELValue {
        switch self {
        case .string(let text): .string(text)
        case .number(let value): .double(value)
        case .bool(let value): .bool(value)
        case .null: .null
        case .array(let values): .list(values.map(\.celValue))
        case .object(let entries): .map(entries.mapValues(\.celValue))
        }
    }
}
