import Testing
@testable import RegistryConfig

@Suite("http timeouts")
struct TimeoutConfigTests {
    @Test("Zot's readTimeout and writeTimeout are read as Go durations, as Zot's own example configs write them")
    func readsZotTimeouts() throws {
        let config = try ConfigLoader.parse(minimalYAML("http:\n  readTimeout: 2m\n  writeTimeout: 1m30s\n"), format: .yaml)
        #expect(config.http.timeouts.readSeconds == 120)
        #expect(config.http.timeouts.writeSeconds == 90)
    }

    @Test("Without timeouts there is no read or write limit, a 30 s idle timeout and a 30 s shutdown drain")
    func defaults() throws {
        let timeouts = try ConfigLoader.parse(minimalYAML(), format: .yaml).http.timeouts
        #expect(timeouts.readSeconds == nil && timeouts.writeSeconds == nil)
        #expect(timeouts.idleSeconds == 30 && timeouts.shutdownSeconds == 30)
    }

    @Test("A zero read or write timeout means no limit, as in Go's http.Server")
    func zeroMeansNoLimit() throws {
        let config = try ConfigLoader.parse(minimalYAML("http:\n  readTimeout: \"0\"\n  writeTimeout: 0s\n"), format: .yaml)
        #expect(config.http.timeouts.readSeconds == nil && config.http.timeouts.writeSeconds == nil)
    }

    @Test("idleTimeout and shutdownTimeout set the idle limit and the shutdown drain")
    func readsOurTimeouts() throws {
        let config = try ConfigLoader.parse(minimalYAML("http:\n  idleTimeout: 2m\n  shutdownTimeout: 5s\n"), format: .yaml)
        #expect(config.http.timeouts.idleSeconds == 120)
        #expect(config.http.timeouts.shutdownSeconds == 5)
    }

    @Test("A timeout that is not a Go duration, or a zero idle or shutdown timeout, is an error at its path")
    func rejectsBadTimeouts() {
        let found = messagesByPath(minimalYAML("http:\n  readTimeout: 2 minutes\n  writeTimeout: 60\n  idleTimeout: \"0\"\n  shutdownTimeout: 1ns\n"))
        #expect(found["http.readTimeout"]?.contains("is not a duration") == true)
        #expect(found["http.writeTimeout"]?.contains("is not a duration") == true)
        #expect(found["http.idleTimeout"] == "must be greater than 0")
        #expect(found["http.shutdownTimeout"]?.contains("shorter than a millisecond") == true)
    }
}
