/// One thing wrong with a config file: where it is and why it is wrong.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the offending value, e.g. `http.auth.htpasswd.path`; `(file)` for whole-file problems.
    public let path: String
    /// What is wrong, naming the value and what was expected.
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// A config file that cannot be used, with every problem found (not only the first).
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// All problems, in the order they were found.
    public let problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// Convenience for a single problem.
    public init(path: String, message: String) {
        self.problems = [ConfigProblem(path: path, message: message)]
    }

    /// One problem per line, `path: message`.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// The syntax a config text is written in.
public enum ConfigFormat: Sendable, Hashable {
    /// Strict JSON (RFC 8259).
    case json
    /// YAML (JSON is also valid YAML, but errors are reported in YAML terms).
    case yaml
    /// Try JSON first, then YAML (used for unknown file extensions).
    case automatic

    /// The format implied by a file name: `.json` → JSON, `.yaml`/`.yml` → YAML, otherwise automatic.
    public init(fileName: String) {
        let lowered = fileName.lowercased()
        if lowered.hasSuffix(".json") {
            self = .json
        } else if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
            self = .yaml
        } else {
            self = .automatic
        }
    }
}
