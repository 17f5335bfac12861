import Testing
import RegistryCEL

/// Our own cases for claim mapping (cel-spec's own cases are in CELSpecConformanceTests), grouped as cel-spec groups them (basic, logic, string, lists,
/// fields, comparisons) restricted to the subset Zot's claimMapping uses.
@Suite("The CEL subset evaluates as cel-spec's conformance cases say")
struct CELConformanceTests {
    static let claims: CELValue = .map([
        "iss": .string("https://token.actions.githubusercontent.com"), "sub": .string("repo:acme/app:ref:refs/heads/main"),
        "repository_owner_id": .string("4242"), "event_name": .string("push"), "groups": .list([.string("dev"), .string("ops")]),
        "email": .string("ci@acme.test"), "run_number": .double(17), "nested": .map(["team": .string("core")]),
    ])

    static func run(_ source: String, vars: [String: CELValue] = [:]) throws -> CELValue {
        try CELExpression(source).evaluate(["claims": claims, "vars": .map(vars)])
    }

    @Test("Value cases", arguments: [
        // basic: literals
        ("'hello'", CELValue.string("hello")), ("\"dq\"", .string("dq")), ("'esc\\'aped'", .string("esc'aped")),
        ("123", .int(123)), ("true", .bool(true)), ("null", .null), ("[1, 'a', true]", .list([.int(1), .string("a"), .bool(true)])),
        ("[]", .list([])),
        // string concatenation and methods
        ("'a' + 'b'", .string("ab")), ("claims.iss + '/' + claims.sub", .string("https://token.actions.githubusercontent.com/repo:acme/app:ref:refs/heads/main")),
        ("'foobar'.startsWith('foo')", .bool(true)), ("'foobar'.endsWith('bar')", .bool(true)), ("'foobar'.contains('oba')", .bool(true)),
        ("'foobar'.contains('')", .bool(true)), ("'foobar'.startsWith('bar')", .bool(false)),
        ("'abc123'.matches('[a-z]+[0-9]+')", .bool(true)), ("'abc'.matches('^b')", .bool(false)), ("'abc'.matches('b')", .bool(true)),
        // logic, including commutative error absorption
        ("true && false", .bool(false)), ("true || false", .bool(true)), ("!true", .bool(false)), ("!!true", .bool(true)),
        ("false && claims.missing == 'x'", .bool(false)), ("claims.missing == 'x' && false", .bool(false)),
        ("true || claims.missing == 'x'", .bool(true)), ("claims.missing == 'x' || true", .bool(true)),
        // equality across types
        ("1 == 1", .bool(true)), ("'a' != 'b'", .bool(true)), ("claims.run_number == 17", .bool(true)), ("[1, 2] == [1, 2]", .bool(true)),
        ("'1' == 1", .bool(false)), ("null == null", .bool(true)),
        // lists and in
        ("'dev' in claims.groups", .bool(true)), ("'admin' in claims.groups", .bool(false)), ("2 in [1, 2, 3]", .bool(true)),
        ("[1] + [2]", .list([.int(1), .int(2)])), ("claims.groups[1]", .string("ops")),
        // fields, indexing, has()
        ("claims.nested.team", .string("core")), ("claims['email']", .string("ci@acme.test")), ("'email' in claims", .bool(true)),
        ("has(claims.email)", .bool(true)), ("has(claims.missing)", .bool(false)), ("has(claims.nested.team)", .bool(true)),
        // Zot-style validations
        ("claims.repository_owner_id == '4242' && claims.event_name != 'pull_request'", .bool(true)),
    ] as [(String, CELValue)])
    func values(_ source: String, _ expected: CELValue) throws {
        #expect(try Self.run(source) == expected)
    }

    @Test("Variables are read through vars")
    func variables() throws {
        #expect(try Self.run("vars.org + '/' + claims.event_name", vars: ["org": .string("acme")]) == .string("acme/push"))
    }

    @Test("Evaluation errors: missing keys, wrong types, bad regular expressions, out-of-range indexes", arguments: [
        "claims.missing", "claims.sub + 1", "!'a'", "'a' && true", "claims.groups[5]", "'a'.matches('(')", "1 in 'abc'",
        "claims.email.startsWith(1)", "claims.sub.team", "vars.org + '/' + claims.sub.endsWith('main')",
    ])
    func errors(_ source: String) {
        #expect(throws: CELError.self) { try Self.run(source) }
    }

    @Test("Constructs outside the subset are refused when compiling, naming the construct", arguments: [
        ("claims.a > 1", "'>'"), ("claims.a - 1", "'-'"), ("claims.a ? 'x' : 'y'", "conditional"), ("{'a': 1}", "map literals"),
        ("size(claims.groups)", "'size()'"), ("claims.groups.exists(g, g == 'dev')", "'exists()'"), ("request.auth", "'request'"),
        ("'''x'''", "triple-quoted"), ("claims.a <= 1", "'<='"), ("'a\\x41'", "escape"),
    ] as [(String, String)])
    func unsupported(_ source: String, _ named: String) {
        do {
            _ = try CELExpression(source)
            Issue.record("compiled \(source)")
        } catch {
            #expect(error.description.contains("unsupported"), "\(error)")
            #expect(error.description.contains(named), "\(error)")
        }
    }

    @Test("Malformed expressions are syntax errors", arguments: ["claims.", "(claims.a", "'open", "claims.a ==", "has(1)", "[1, 2"])
    func syntax(_ source: String) {
        #expect(throws: CELError.self) { try CELExpression(source) }
    }
}
