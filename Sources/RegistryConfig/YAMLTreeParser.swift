import Yams

/// Parses YAML with Yams into `ConfigNode`s. Plain scalars are typed the YAML 1.2 way (only `true`/`false` are
/// booleans; `yes`/`on` stay strings); quoted scalars are always strings. Alias expansion and nesting are bounded so
/// hostile input (alias bombs, deep nesting) fails with an error instead of exhausting memory or the stack.
struct YAMLTreeParser {
    static let maximumDepth = 64
    static let maximumValueCount = 100_000

    private var valueCount = 0
    private var problems: [ConfigProblem] = []

    /// Parses a single-document YAML text.
    static func parse(_ text: String) throws(ConfigError) -> ConfigNode {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw ConfigError(path: "(file)", message: "YAML syntax error: \(error)")
        }
        guard let composed else {
            throw ConfigError(path: "(file)", message: "the file is empty (expected a YAML mapping)")
        }
        var parser = YAMLTreeParser()
        let root = try parser.convert(composed, path: .root, depth: 0)
        if !parser.problems.isEmpty {
            throw ConfigError(problems: parser.problems)
        }
        return root
    }

    private mutating func convert(_ node: Node, path: ConfigPath, depth: Int) throws(ConfigError) -> ConfigNode {
        valueCount += 1
        guard valueCount <= Self.maximumValueCount else {
            throw ConfigError(path: "(file)", message: "the document expands to more than \(Self.maximumValueCount) values (alias bomb?)")
        }
        guard depth < Self.maximumDepth else {
            throw ConfigError(path: path.abbreviated, message: "values are nested more than \(Self.maximumDepth) levels deep")
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(path: path, value: Self.typedScalar(scalar))
        case .sequence(let sequence):
            var elements: [ConfigNode] = []
            for (index, element) in sequence.enumerated() {
                elements.append(try convert(element, path: path.appending(index: index), depth: depth + 1))
            }
            return ConfigNode(path: path, value: .array(elements))
        case .mapping(let mapping):
            var members: [(key: String, node: ConfigNode)] = []
            var seen = Set<String>()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    problems.append(ConfigProblem(path: path.description, message: "a mapping key must be plain text, not a list or mapping"))
                    continue
                }
                let key = keyScalar.string
                let memberPath = path.appending(key: key)
                let converted = try convert(valueNode, path: memberPath, depth: depth + 1)
                if key == "<<" && keyScalar.style == .plain {
                    problems.append(ConfigProblem(path: memberPath.description, message: "YAML merge keys are not supported; write the keys out"))
                } else if seen.insert(key).inserted {
                    members.append((key, converted))
                } else {
                    problems.append(ConfigProblem(path: memberPath.description, message: "duplicate key"))
                }
            }
            return ConfigNode(path: path, value: .object(members))
        case .alias:
            throw ConfigError(path: path.description, message: "unresolved YAML alias")
        }
    }

    /// Quoted, literal and folded scalars are strings; plain ones may be null, a boolean or a number.
    private static func typedScalar(_ scalar: Node.Scalar) -> ConfigNode.Value {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: return isDecimalNumber(text) ? .number(text) : .string(text)
        }
    }

    /// `[-+]?digits[.digits][e[-+]digits]`: the number forms a config would use.
    static func isDecimalNumber(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
        func digits() -> Int {
            let count = scalars.prefix(while: { ("0"..."9").contains($0) }).count
            scalars = scalars.dropFirst(count)
            return count
        }
        guard digits() > 0 else { return false }
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            _ = digits()
        }
        if let marker = scalars.first, marker == "e" || marker == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }

    private static func syntaxError(_ error: YamlError) -> ConfigError {
        func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> ConfigError {
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text))" }
            return ConfigError(path: "line \(mark.line), column \(mark.column)", message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return located(mark, problem, context)
        case .reader(let problem, let offset, _, _):
            let position = offset.map { " at byte \($0)" } ?? ""
            return ConfigError(path: "(file)", message: "YAML syntax error\(position): \(problem)")
        default:
            return ConfigError(path: "(file)", message: "YAML syntax error: \(error)")
        }
    }
}
