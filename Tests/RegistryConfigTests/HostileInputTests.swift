import Testing
@testable import RegistryConfig

@Suite("Garbage and hostile input")
struct HostileInputTests {
    @Test("JSON syntax errors carry line and column")
    func jsonSyntaxErrors() {
        let found = problems("{\n  \"storage\": {\"rootDirectory\": \"/x\"},\n  \"http\": {\"port\": 5000,}\n}", format: .json)
        #expect(found.count == 1)
        #expect(found.first?.path == "line 3, column 25")
        #expect(found.first?.message.hasPrefix("JSON syntax error: unexpected character \"}\"") == true)
        #expect(problems("{\"a\": 01}", format: .json).first?.message.contains("leading zeros") == true)
        #expect(problems("{\"a\": \"unterminated}", format: .json).first?.message.contains("unterminated string") == true)
    }

    @Test("YAML syntax errors carry line and column")
    func yamlSyntaxErrors() {
        let found = problems("storage:\n  rootDirectory: [unclosed\nhttp: {}\n")
        #expect(found.count == 1)
        #expect(found.first?.path.hasPrefix("line ") == true)
        #expect(found.first?.message.hasPrefix("YAML syntax error") == true)
    }

    @Test("Empty, non-object and garbage documents are errors", arguments: [
        ("", ConfigFormat.yaml), ("", .json), ("   \n", .automatic), ("- a\n- b\n", .yaml), ("42", .json),
        ("\u{0}\u{1}\u{2}garbage\u{7F}", .automatic), ("{{{{", .automatic), ("key: [", .yaml), ("---\na: 1\n---\nb: 2\n", .yaml),
    ])
    func garbage(text: String, format: ConfigFormat) {
        #expect(!problems(text, format: format).isEmpty)
    }

    @Test("Binary files are refused as not UTF-8")
    func binaryFile() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("config.yaml", bytes: [0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x80])
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: file) }
    }

    @Test("Deep nesting is refused without exhausting the stack", arguments: [ConfigFormat.json, .yaml])
    func deepNesting(format: ConfigFormat) {
        let depth = 5_000
        let text = "{\"a\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(!problems(text, format: format).isEmpty)
    }

    @Test("An alias bomb is refused")
    func aliasBomb() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            lines.append("a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]")
        }
        let found = problems(lines.joined(separator: "\n") + "\n")
        #expect(found.first?.message.contains("alias bomb") == true)
    }

    @Test("Huge numbers and long strings are reported, truncated, not crashed on")
    func hugeValues() {
        let huge = String(repeating: "9", count: 500)
        let found = messagesByPath(minimalYAML("http:\n  port: \(huge)\n  auth:\n    failDelay: 1e400\n"))
        #expect(found["http.port"]?.hasSuffix("… is not a port number (expected an integer 1-65535)") == true)
        #expect(found["http.auth.failDelay"] != nil)
    }
}
