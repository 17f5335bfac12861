import Testing
@testable import RegistryConfig

@Suite("Strict validation")
struct StrictnessTests {
    @Test("Unknown keys are reported with their full path at every depth")
    func unknownKeysAtSeveralDepths() {
        let found = messagesByPath("""
        storage:
          rootDirectory: /tmp/zot
          rootDirectori: /tmp/other
        htttp: {}
        http:
          auth:
            htpasswd:
              pth: /etc/htpasswd
          accessControl:
            repositories:
              "team/**":
                policies:
                  - users: [alice]
                    actions: [read]
                    roles: [admin]
        """)
        #expect(found["htttp"]?.hasPrefix("unknown key") == true)
        #expect(found["storage.rootDirectori"] == "unknown key (did you mean \"rootDirectory\"?)")
        #expect(found["http.auth.htpasswd.pth"] == "unknown key (did you mean \"path\"?)")
        #expect(found["http.accessControl.repositories.\"team/**\".policies[0].roles"] == "unknown key")
    }

    @Test("Keys match case-insensitively as in Zot, but a key given twice is an error")
    func caseInsensitiveKeys() throws {
        let config = try ConfigLoader.parse(#"{"Storage": {"rootdirectory": "/data"}, "HTTP": {"Port": 9000}}"#, format: .json)
        #expect(config.storage.rootDirectory == "/data")
        #expect(config.http.port == 9000)
        let found = messagesByPath(minimalYAML("http:\n  port: 1\n  Port: 2\n"))
        #expect(found["http.Port"] == "duplicate key (keys are case-insensitive)")
        #expect(messagesByPath(#"{"storage": {"rootDirectory": "/a", "rootDirectory": "/b"}}"#, format: .json)["storage.rootDirectory"] == "duplicate key")
    }

    @Test("Bad values name the path, the value and what was expected")
    func badValues() {
        let found = messagesByPath("""
        storage:
          rootDirectory: /tmp/zot
          dedupe: yes
          gcDelay: 1 hour
        http:
          port: abc
          address: "not an address!"
          realm: 'say "hi"'
          externalUrl: ftp://example.org
          trustedProxies: [10.0.0.0/33, 192.168.1.1]
          auth:
            failDelay: -1
          ratelimit:
            rate: 0
            methods:
              - method: FETCH
                rate: 1
        log:
          level: verbose
        """)
        #expect(found["http.port"] == "\"abc\" is not a port number (expected an integer 1-65535)")
        #expect(found["storage.dedupe"] == "\"yes\" is not a boolean (expected true or false)")
        #expect(found["storage.gcDelay"] == "\"1 hour\" is not a duration (expected a Go duration like \"1h\", \"30m\" or \"10s\")")
        #expect(found["http.address"] == "\"not an address!\" is not an IP address or host name")
        #expect(found["http.realm"]?.contains("WWW-Authenticate") == true)
        #expect(found["http.externalUrl"] == "\"ftp://example.org\" is not an http(s) URL")
        #expect(found["http.trustedProxies[0]"]?.contains("not an IP address or CIDR") == true)
        #expect(found["http.trustedProxies[1]"] == nil)
        #expect(found["http.auth.failDelay"] == "-1 is not a delay in seconds (expected an integer 0-3600)")
        #expect(found["http.ratelimit.rate"] == "0 is not a rate (expected a number greater than 0)")
        #expect(found["http.ratelimit.methods[0].method"]?.hasPrefix("\"FETCH\" is not an HTTP method") == true)
        #expect(found["log.level"] == "\"verbose\" is not a log level (debug, info, warn, error)")
    }

    @Test("Ports outside 1-65535 and huge numbers are rejected, string ports are accepted")
    func portRange() throws {
        #expect(messagesByPath(minimalYAML("http:\n  port: 0\n"))["http.port"] != nil)
        #expect(messagesByPath(minimalYAML("http:\n  port: 65536\n"))["http.port"] != nil)
        #expect(messagesByPath(minimalYAML("http:\n  port: 99999999999999999999999999\n"))["http.port"] != nil)
        #expect(messagesByPath(minimalYAML("http:\n  port: 80.5\n"))["http.port"] != nil)
        #expect(try ConfigLoader.parse(minimalYAML("http:\n  port: \"5001\"\n"), format: .yaml).http.port == 5001)
    }

    @Test("All problems are collected, not only the first")
    func collectsAllProblems() {
        let found = problems("""
        storage:
          rootDirectory: /tmp/zot
        http:
          port: nope
          address: "!"
        log:
          level: loud
        """)
        #expect(Set(found.map(\.path)) == ["http.port", "http.address", "log.level"])
    }

    @Test("A missing storage.rootDirectory is an error; an unsupported storage driver is an error")
    func storageRules() {
        #expect(messagesByPath("http: {}\n")["storage.rootDirectory"] == "is required")
        let found = messagesByPath(minimalYAML("  storageDriver:\n    name: gcs\n    region: us-east-1\n"))
        #expect(found["storage.storageDriver.name"] == "\"gcs\": only the filesystem and s3 drivers are supported")
        #expect(problems(minimalYAML("  storageDriver:\n    name: filesystem\n")).isEmpty)
    }

    @Test("Zot keys we do not implement are accepted with a notice; clustering is refused")
    func ignoredKeys() throws {
        let config = try ConfigLoader.parse(minimalYAML("  cacheDriver:\n    name: boltdb\nscheduler:\n  numWorkers: 3\n"), format: .yaml)
        #expect(config.notices.map(\.path).sorted() == ["scheduler", "storage.cacheDriver"])
        #expect(messagesByPath(minimalYAML("cluster:\n  members: [a, b]\n"))["cluster"] == "scale-out clustering is not supported")
    }

    @Test("Go durations convert to seconds", arguments: [("10s", 10.0), ("30m", 1800), ("1h30m", 5400), ("1.5h", 5400), ("300ms", 0.3), ("0", 0)])
    func goDurations(text: String, seconds: Double) {
        #expect(GoDuration.seconds(text).map { abs($0 - seconds) < 1e-9 } == true)
    }

    @Test("Malformed durations are rejected", arguments: ["", "1", "h", "1d", "-1h", "1h-", ".h", "1..5s", "1 h"])
    func badDurations(text: String) {
        #expect(GoDuration.seconds(text) == nil)
    }

    @Test("Unknown file extensions try JSON, then YAML (including YAML flow style)")
    func automaticFormat() throws {
        #expect(try ConfigLoader.parse("{storage: {rootDirectory: /srv}}", format: .automatic).storage.rootDirectory == "/srv")
        #expect(problems("{\"storage\": [", format: .automatic).first?.message.hasPrefix("JSON syntax error") == true)
    }
}
