import Foundation
import RegistryCore

/// Why a fixture file could not be used.
public struct PolicyFixtureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, including the file and case when known.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// One expected decision.
public struct PolicyFixtureCase: Sendable, Hashable {
    /// A label for reports; defaults to "case N".
    public var name: String
    /// Who asks.
    public var identity: Identity
    /// The repository asked about.
    public var repository: String
    /// The action asked for.
    public var action: RegistryAction
    /// Whether the action is expected to be allowed.
    public var expectAllowed: Bool
    /// When set, whether the grant is expected to come from `adminPolicy` only.
    public var expectBreakGlass: Bool?

    public init(name: String, identity: Identity, repository: String, action: RegistryAction, expectAllowed: Bool,
                expectBreakGlass: Bool? = nil) {
        self.name = name
        self.identity = identity
        self.repository = repository
        self.action = action
        self.expectAllowed = expectAllowed
        self.expectBreakGlass = expectBreakGlass
    }
}

/// A list of expected decisions, read from JSON:
///
/// ```json
/// {"cases": [
///   {"name": "alice reads", "user": "alice", "groups": ["dev"], "repository": "team-a/app", "action": "read", "expect": "allow"},
///   {"anonymous": true, "repository": "private/x", "action": "read", "expect": "deny"},
///   {"user": "root", "repository": "x", "action": "delete", "expect": "allow", "breakGlass": true}
/// ]}
/// ```
/// A bare top-level array of cases is accepted too.
public struct PolicyFixture: Sendable, Hashable {
    /// The cases, in file order.
    public var cases: [PolicyFixtureCase]

    public init(cases: [PolicyFixtureCase]) { self.cases = cases }

    /// Reads and validates a fixture file.
    public static func load(path: String) throws(PolicyFixtureError) -> PolicyFixture {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PolicyFixtureError("\(path): cannot read fixture file: \(error.localizedDescription)")
        }
        do {
            return try decode(data)
        } catch {
            throw PolicyFixtureError("\(path): \(error.message)")
        }
    }

    /// Parses and validates fixture JSON.
    public static func decode(_ data: Data) throws(PolicyFixtureError) -> PolicyFixture {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PolicyFixtureError("not valid JSON: \(error.localizedDescription)")
        }
        let rawCases: [Any]
        if let array = root as? [Any] {
            rawCases = array
        } else if let object = root as? [String: Any], let array = object["cases"] as? [Any] {
            let unknown = Set(object.keys).subtracting(["cases", "description"])
            guard unknown.isEmpty else {
                throw PolicyFixtureError("unknown top-level key(s) \(unknown.sorted()); expected \"cases\"")
            }
            rawCases = array
        } else {
            throw PolicyFixtureError("expected an object with a \"cases\" array, or an array of cases")
        }
        var cases: [PolicyFixtureCase] = []
        for (position, raw) in rawCases.enumerated() {
            cases.append(try parseCase(raw, number: position + 1))
        }
        return PolicyFixture(cases: cases)
    }

    private static let knownKeys: Set<String> = [
        "name", "user", "anonymous", "groups", "repository", "action", "expect", "breakGlass",
    ]

    private static func parseCase(_ raw: Any, number: Int) throws(PolicyFixtureError) -> PolicyFixtureCase {
        let label = "case \(number)"
        guard let object = raw as? [String: Any] else { throw PolicyFixtureError("\(label): expected an object") }
        func fail(_ message: String) -> PolicyFixtureError {
            let name = (object["name"] as? String).map { " (\"\($0)\")" } ?? ""
            return PolicyFixtureError("\(label)\(name): \(message)")
        }
        let unknown = Set(object.keys).subtracting(knownKeys)
        guard unknown.isEmpty else {
            throw fail("unknown key(s) \(unknown.sorted()); expected \(knownKeys.sorted())")
        }
        func string(_ key: String) throws(PolicyFixtureError) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value as? String else { throw fail("\"\(key)\" must be a string") }
            return text
        }
        let anonymous: Bool
        switch object["anonymous"] {
        case nil: anonymous = false
        case let flag as Bool: anonymous = flag
        default: throw fail("\"anonymous\" must be true or false")
        }
        let user = try string("user")
        let groups: [String]
        switch object["groups"] {
        case nil: groups = []
        case let list as [String]: groups = list
        default: throw fail("\"groups\" must be an array of strings")
        }
        let identity: Identity
        switch (user, anonymous) {
        case (let name?, false):
            guard !name.isEmpty else { throw fail("\"user\" must not be empty") }
            identity = Identity(username: name, groups: groups, method: .htpasswd)
        case (nil, true):
            guard groups.isEmpty else { throw fail("an anonymous case cannot have \"groups\"") }
            identity = .anonymous
        case (.some, true): throw fail("give either \"user\" or \"anonymous\": true, not both")
        case (nil, false): throw fail("missing \"user\" (or \"anonymous\": true)")
        }
        guard let repository = try string("repository"), !repository.isEmpty else { throw fail("missing \"repository\"") }
        guard let actionName = try string("action") else { throw fail("missing \"action\"") }
        guard let action = RegistryAction(rawValue: actionName) else {
            throw fail("unknown action \"\(actionName)\"; expected read, create, update or delete")
        }
        let expectAllowed: Bool
        switch try string("expect") {
        case "allow": expectAllowed = true
        case "deny": expectAllowed = false
        case let other?: throw fail("\"expect\" must be \"allow\" or \"deny\", not \"\(other)\"")
        case nil: throw fail("missing \"expect\" (\"allow\" or \"deny\")")
        }
        let breakGlass: Bool?
        switch object["breakGlass"] {
        case nil: breakGlass = nil
        case let flag as Bool: breakGlass = flag
        default: throw fail("\"breakGlass\" must be true or false")
        }
        return PolicyFixtureCase(name: try string("name") ?? label, identity: identity, repository: repository,
                                 action: action, expectAllowed: expectAllowed, expectBreakGlass: breakGlass)
    }

    /// Runs every case against `engine`.
    public func run(against engine: PolicyEngine) -> PolicyFixtureReport {
        var mismatches: [PolicyFixtureReport.Mismatch] = []
        for fixtureCase in cases {
            let decision = engine.decide(identity: fixtureCase.identity, repository: fixtureCase.repository,
                                         action: fixtureCase.action)
            let allowedMatches = decision.allowed == fixtureCase.expectAllowed
            let breakGlassMatches = fixtureCase.expectBreakGlass.map { $0 == decision.isBreakGlass } ?? true
            if !allowedMatches || !breakGlassMatches {
                mismatches.append(.init(fixtureCase: fixtureCase, decision: decision))
            }
        }
        return PolicyFixtureReport(caseCount: cases.count, mismatches: mismatches)
    }
}

/// The result of running a fixture.
public struct PolicyFixtureReport: Sendable, Hashable {
    /// A case whose decision differed from the expectation.
    public struct Mismatch: Sendable, Hashable, CustomStringConvertible {
        public let fixtureCase: PolicyFixtureCase
        public let decision: PolicyDecision

        public var description: String {
            let expected = fixtureCase.expectAllowed ? "allow" : "deny"
            var expectation = expected
            if let breakGlass = fixtureCase.expectBreakGlass { expectation += breakGlass ? " (break-glass)" : " (not break-glass)" }
            return "MISMATCH \(fixtureCase.name): expected \(expectation), got \(decision)"
        }
    }

    /// Number of cases run.
    public let caseCount: Int
    /// Cases that did not decide as expected.
    public let mismatches: [Mismatch]

    /// Number of mismatching cases.
    public var failureCount: Int { mismatches.count }

    /// One line per mismatch, then a summary line.
    public var text: String {
        let summary = "\(caseCount - failureCount) of \(caseCount) cases as expected, \(failureCount) mismatch\(failureCount == 1 ? "" : "es")"
        return (mismatches.map(\.description) + [summary]).joined(separator: "\n")
    }
}
