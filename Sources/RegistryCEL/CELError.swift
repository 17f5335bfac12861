/// Why an expression cannot be compiled (a config error naming the construct) or evaluated.
public enum CELError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not an expression of the supported subset; the message names the construct.
    case unsupported(String)
    /// The text is malformed (unbalanced, unterminated string, unexpected token).
    case syntax(String)
    /// Evaluation failed: a missing key, a type mismatch, a bad regular expression.
    case evaluation(String)

    public var description: String {
        switch self {
        case .unsupported(let detail): "unsupported CEL construct: \(detail)"
        case .syntax(let detail): "CEL syntax error: \(detail)"
        case .evaluation(let detail): "CEL evaluation error: \(detail)"
        }
    }
}
