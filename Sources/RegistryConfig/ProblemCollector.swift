/// Gathers every problem (fatal) and notice (informational) found while mapping a config tree, and converts
/// scalar nodes to typed values, reporting precisely what was found and what was expected.
final class ProblemCollector {
    private(set) var problems: [ConfigProblem] = []
    private(set) var notices: [ConfigProblem] = []
    /// Whether referenced files (htpasswd, certificates, credentials) must exist and be readable.
    var checksFiles = true

    func error(_ path: ConfigPath, _ message: String) {
        problems.append(ConfigProblem(path: path.description, message: message))
    }

    func notice(_ path: ConfigPath, _ message: String) {
        notices.append(ConfigProblem(path: path.description, message: message))
    }

    /// A string; numbers are accepted as their text (Zot decodes weakly, so `realm: 1` is the string "1").
    func string(_ node: ConfigNode) -> String? {
        switch node.value {
        case .string(let text), .number(let text): return text
        default:
            error(node.path, "expected a string, got \(node.kindName)")
            return nil
        }
    }

    /// A string that must not be empty.
    func nonEmptyString(_ node: ConfigNode) -> String? {
        guard let text = string(node) else { return nil }
        guard !text.isEmpty else {
            error(node.path, "must not be empty")
            return nil
        }
        return text
    }

    /// `true`/`false` (also as the strings "true"/"false", as Zot accepts).
    func bool(_ node: ConfigNode) -> Bool? {
        switch node.value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default:
            error(node.path, "\(node.quoted) is not a boolean (expected true or false)")
            return nil
        }
    }

    /// An integer in `range`, written as a number or as a string of digits (Zot's `port: "8080"`).
    func integer(_ node: ConfigNode, naming what: String, in range: ClosedRange<Int>) -> Int? {
        let expectation = "expected an integer \(range.lowerBound)-\(range.upperBound)"
        let text: String
        switch node.value {
        case .number(let written), .string(let written): text = written
        default:
            error(node.path, "\(node.quoted) is not \(what) (\(expectation))")
            return nil
        }
        guard let value = Int(text), range.contains(value) else {
            error(node.path, "\(node.quoted) is not \(what) (\(expectation))")
            return nil
        }
        return value
    }

    /// A finite number greater than zero.
    func positiveNumber(_ node: ConfigNode, naming what: String) -> Double? {
        let text: String
        switch node.value {
        case .number(let written), .string(let written): text = written
        default:
            error(node.path, "\(node.quoted) is not \(what) (expected a number greater than 0)")
            return nil
        }
        guard let value = Double(text), value.isFinite, value > 0 else {
            error(node.path, "\(node.quoted) is not \(what) (expected a number greater than 0)")
            return nil
        }
        return value
    }

    /// A list of strings (a single string is not silently promoted to a list).
    func stringList(_ node: ConfigNode) -> [String]? {
        guard case .array(let elements) = node.value else {
            error(node.path, "expected a list of strings, got \(node.kindName)")
            return nil
        }
        let strings = elements.compactMap { element -> String? in
            guard case .string(let text) = element.value else {
                error(element.path, "expected a string, got \(element.kindName)")
                return nil
            }
            return text
        }
        return strings.count == elements.count ? strings : nil
    }

    /// The members of a list, or an error if the node is not a list.
    func list(_ node: ConfigNode) -> [ConfigNode]? {
        guard case .array(let elements) = node.value else {
            error(node.path, "expected a list, got \(node.kindName)")
            return nil
        }
        return elements
    }
}
