import Testing
@testable import RegistryConfig

@Suite("log.format")
struct LogFormatTests {
    @Test("Without log.format the server logs JSON, as Zot does")
    func defaultsToJSON() throws {
        let config = try ConfigLoader.parse(minimalYAML("log:\n  level: debug\n"), format: .yaml)
        #expect(config.log.format == .json)
    }

    @Test("log.format accepts text and json in any letter case")
    func acceptsKnownFormats() throws {
        #expect(try ConfigLoader.parse(minimalYAML("log:\n  format: text\n"), format: .yaml).log.format == .text)
        #expect(try ConfigLoader.parse(minimalYAML("log:\n  format: JSON\n"), format: .yaml).log.format == .json)
    }

    @Test("An unknown log.format names the value and the accepted ones")
    func rejectsUnknownFormat() {
        let found = messagesByPath(minimalYAML("log:\n  format: logfmt\n"))
        #expect(found["log.format"] == "\"logfmt\" is not a log format (json, text)")
    }

    @Test("A log.format that is not a string is reported at its path")
    func rejectsNonString() {
        #expect(messagesByPath(minimalYAML("log:\n  format: [json]\n"))["log.format"] != nil)
    }
}
