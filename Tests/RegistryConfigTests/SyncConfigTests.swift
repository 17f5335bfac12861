import Testing
@testable import RegistryConfig
import RegistryCore

@Suite("extensions.sync")
struct SyncConfigTests {
    static let zotExample = """
    {"storage": {"rootDirectory": "/tmp/zot"},
     "extensions": {"sync": {"enable": true, "credentialsFile": "CREDS",
       "registries": [
         {"urls": ["https://registry1:5000"], "onDemand": false, "pollInterval": "6h", "tlsVerify": true,
          "maxRetries": 3, "retryDelay": "5m", "onlySigned": true,
          "content": [{"prefix": "/repo1/repo", "tags": {"regex": "4.*", "semver": true}},
                      {"prefix": "/repo2/repo", "destination": "/repo", "stripPrefix": true},
                      {"prefix": "/repo3/**"},
                      {"prefix": "/repo4/**", "tags": {"excludeRegex": ".*-(amd64|arm64)$"}}]},
         {"urls": ["https://registry2:5000", "https://registry3:5000"], "pollInterval": "12h", "tlsVerify": false,
          "onDemand": false, "content": [{"prefix": "**", "tags": {"semver": true}}]},
         {"urls": ["https://index.docker.io"], "onDemand": true, "tlsVerify": true, "maxRetries": 5, "retryDelay": "1s",
          "maxRetryDelay": "30s", "syncTimeout": "10m", "reqConcurrent": 30, "reqPerSec": 100, "disableHTTP2": true,
          "maxIdleConnsPerHost": 30}]}}}
    """

    @Test("Zot's config-sync.json example maps onto typed values with Zot's defaults")
    func zotExampleMaps() throws {
        let directory = try TemporaryDirectory()
        let credentials = try directory.write("creds.json", #"{"registry1:5000": {"username": "u", "password": "p"}}"#)
        let config = try ConfigLoader.parse(Self.zotExample.replacingOccurrences(of: "CREDS", with: credentials), format: .json)
        let sync = try #require(config.extensions.sync)
        #expect(sync.enable && sync.credentialsFile == credentials && sync.registries.count == 3)
        let first = sync.registries[0]
        #expect(first.pollIntervalSeconds == 6 * 3600 && first.maxRetries == 3 && first.retryDelaySeconds == 300)
        #expect(first.onlySigned && first.tlsVerify && !first.onDemand)
        #expect(first.content[0].tags?.regex == "4.*" && first.content[0].tags?.semver == true)
        #expect(first.content[1].destination == "/repo" && first.content[1].stripPrefix)
        #expect(first.effectiveMaxRetryDelaySeconds == 300)
        #expect(sync.registries[1].tlsVerify == false && sync.registries[1].urls.count == 2)
        let hub = sync.registries[2]
        #expect(hub.onDemand && hub.maxRetries == 5 && hub.effectiveMaxRetryDelaySeconds == 30)
        #expect(hub.syncTimeoutSeconds == 600 && hub.reqConcurrent == 30 && hub.reqPerSec == 100)
        #expect(hub.disableHTTP2 && hub.maxIdleConnsPerHost == 30 && hub.content.isEmpty)
        #expect(hub.syncTimeoutSeconds == 600 && sync.registries[1].syncTimeoutSeconds == 3 * 3600)
    }

    @Test("A typo inside sync is an error naming its full path")
    func typoIsAnError() {
        let found = messagesByPath(minimalYAML("""
        extensions:
          sync:
            registries:
              - urls: ["https://upstream:5000"]
                onDemnd: true
                content:
                  - prefix: "**"
                    destinaton: /x
                    tags: {regx: "1.*"}
        """))
        #expect(found["extensions.sync.registries[0].onDemnd"]?.contains("did you mean \"onDemand\"") == true)
        #expect(found["extensions.sync.registries[0].content[0].destinaton"]?.hasPrefix("unknown key") == true)
        #expect(found["extensions.sync.registries[0].content[0].tags.regx"]?.hasPrefix("unknown key") == true)
    }

    @Test("Bad durations, regexes, globs, URLs and limits are refused with their paths")
    func badValuesAreRefused() {
        let found = messagesByPath(minimalYAML("""
        extensions:
          sync:
            registries:
              - urls: ["ftp://upstream", "https://user:pw@host", "https://host/v2/"]
                pollInterval: soon
                retryDelay: 10s
                maxRetryDelay: 1s
                reqConcurrent: 0
                reqPerSec: -1
                manifestCheckInterval: 5m
                content:
                  - prefix: "[repo%^&"
                    tags: {regex: "[*", excludeRegex: "(", semver: maybe}
                  - prefix: repo
                    destination: /
                    stripPrefix: true
        """))
        #expect(found["extensions.sync.registries[0].urls[0]"]?.contains("is not an upstream URL") == true)
        #expect(found["extensions.sync.registries[0].urls[1]"] != nil)
        #expect(found["extensions.sync.registries[0].urls[2]"] != nil)
        #expect(found["extensions.sync.registries[0].pollInterval"]?.contains("is not a duration") == true)
        #expect(found["extensions.sync.registries[0].maxRetryDelay"]?.contains("greater than or equal to retryDelay") == true)
        #expect(found["extensions.sync.registries[0].reqConcurrent"] != nil)
        #expect(found["extensions.sync.registries[0].reqPerSec"] != nil)
        #expect(found["extensions.sync.registries[0].manifestCheckInterval"]?.contains("requires onDemand") == true)
        #expect(found["extensions.sync.registries[0].content[0].prefix"]?.contains("not a valid glob") == true)
        #expect(found["extensions.sync.registries[0].content[0].tags.regex"]?.contains("not a regular expression") == true)
        #expect(found["extensions.sync.registries[0].content[0].tags.excludeRegex"] != nil)
        #expect(found["extensions.sync.registries[0].content[0].tags.semver"] != nil)
        #expect(found["extensions.sync.registries[0].content[1].stripPrefix"]?.contains("without using glob patterns") == true)
    }

    @Test("maxRetries without retryDelay is refused, as in Zot")
    func retriesNeedADelay() {
        let found = messagesByPath(minimalYAML("extensions:\n  sync:\n    registries:\n      - urls: [\"http://a:1\"]\n        maxRetries: 2\n"))
        #expect(found["extensions.sync.registries[0].retryDelay"] == "is required when using maxRetries")
    }

    @Test("Credential helpers and preserveDigest false are refused with a reason, not ignored")
    func unimplementedKeysAreRefused() {
        let found = messagesByPath(minimalYAML("""
        extensions:
          sync:
            registries:
              - urls: ["https://a"]
                credentialHelper: ecr
                preserveDigest: false
        """))
        #expect(found["extensions.sync.registries[0].credentialHelper"]?.contains("not implemented") == true)
        #expect(found["extensions.sync.registries[0].preserveDigest"]?.contains("always stored with their upstream digest") == true)
    }

    @Test("A missing or malformed credentials file is refused at load, without echoing passwords")
    func credentialsFileIsChecked() throws {
        let directory = try TemporaryDirectory()
        let missing = messagesByPath(minimalYAML("extensions:\n  sync:\n    credentialsFile: \(directory.path)/nope.json\n"))
        #expect(missing["extensions.sync.credentialsFile"]?.contains("does not exist") == true)
        let bad = try directory.write("bad.json", #"{"https://host": {"username": "u", "password": "hunter2"}}"#)
        let badFound = messagesByPath(minimalYAML("extensions:\n  sync:\n    credentialsFile: \(bad)\n"))
        #expect(badFound["extensions.sync.credentialsFile"]?.contains("is not host[:port]") == true)
        let typo = try directory.write("typo.json", #"{"host:5000": {"username": "u", "pasword": "hunter2"}}"#)
        let typoMessage = messagesByPath(minimalYAML("extensions:\n  sync:\n    credentialsFile: \(typo)\n"))["extensions.sync.credentialsFile"]
        #expect(typoMessage?.contains("unknown key \"pasword\"") == true)
        #expect(typoMessage?.contains("hunter2") == false)
    }

    @Test("The credentials file maps host[:port] to a login, port-specific entries first")
    func credentialsLookup() throws {
        let parsed = try UpstreamCredentials.parse(Array(#"{"Reg.example:5000": {"username": "a", "password": "1"}, "reg.example": {"username": "b", "password": "2"}}"#.utf8))
        #expect(parsed.login(host: "reg.example", port: 5000)?.username == "a")
        #expect(parsed.login(host: "REG.example", port: 443)?.username == "b")
        #expect(parsed.login(host: "other", port: nil) == nil)
        #expect(!String(describing: parsed.login(host: "reg.example", port: nil)!).contains("2)"))
    }

    @Test("Zot's config-popular-registries.json shape loads unchanged")
    func popularRegistriesShape() throws {
        let json = """
        {"storage": {"rootDirectory": "/data"}, "http": {"address": "0.0.0.0", "port": "5000"}, "log": {"level": "info"},
         "extensions": {"sync": {"enable": true, "registries": [
           {"urls": ["https://index.docker.io"], "content": [{"destination": "/docker.io", "prefix": "**"}], "onDemand": true, "tlsVerify": true},
           {"urls": ["https://ghcr.io"], "content": [{"destination": "ghcr.io", "prefix": "**"}], "onDemand": true, "tlsVerify": true}]}}}
        """
        let config = try ConfigLoader.parse(json, format: .json)
        #expect(config.extensions.sync?.registries.map(\.content.first?.destination) == ["/docker.io", "ghcr.io"])
        #expect(config.extensions.acceptedSections.isEmpty)
    }
}
