import Foundation
import Logging
import Testing
import RegistryCore
@testable import RegistrySync

@Suite("Sync upstream machinery")
struct UpstreamMachineryTests {
    @Test("Backoff grows from retryDelay and stops at maxRetryDelay; without a cap the delay is fixed")
    func backoff() {
        let growing = RetryPolicy(maxRetries: 5, firstDelay: 1, maximumDelay: 30)
        #expect((1...6).map(growing.delay(beforeRetry:)) == [1, 2, 4, 8, 16, 30])
        let fixed = RetryPolicy(maxRetries: 3, firstDelay: 5, maximumDelay: 5)
        #expect((1...3).map(fixed.delay(beforeRetry:)) == [5, 5, 5])
    }

    @Test("Bearer and Basic challenges parse with quoted, escaped and comma-separated parameters")
    func challenges() throws {
        let bearer = try #require(AuthChallenge.parse(#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#))
        #expect(bearer.scheme == .bearer && bearer.realm == "https://auth.docker.io/token")
        #expect(bearer.service == "registry.docker.io" && bearer.scope == "repository:library/alpine:pull")
        let basic = try #require(AuthChallenge.parse(#"Basic realm="a \"quoted\" realm""#))
        #expect(basic.scheme == .basic && basic.realm == #"a "quoted" realm"#)
        #expect(AuthChallenge.parse("Negotiate abc") == nil)
    }

    @Test("Tokens are reused for their scope until shortly before they expire")
    func tokenCache() async {
        let cache = UpstreamTokenCache()
        let now = Date()
        await cache.store("t1", key: "realm|svc|repository:a:pull", lifetime: 60, now: now)
        #expect(await cache.token("realm|svc|repository:a:pull", now: now.addingTimeInterval(30)) == "t1")
        #expect(await cache.token("realm|svc|repository:b:pull", now: now) == nil)
        #expect(await cache.token("realm|svc|repository:a:pull", now: now.addingTimeInterval(55)) == nil)
    }

    @Test("Twenty concurrent callers of one key share one run of the work")
    func singleFlight() async throws {
        let flights = SingleFlight()
        let runs = Counter()
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await flights.run("blob|x|sha256:1") {
                        await runs.increment()
                        try await Task.sleep(for: .milliseconds(200))
                        return true
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 20 && results.allSatisfy { $0 })
        #expect(await runs.value == 1)
        #expect(await flights.count == 0)
    }

    @Test("The download budget holds back a download until bytes are released and refuses one larger than the budget")
    func byteBudget() async throws {
        let budget = ByteBudget(limit: 100)
        try await budget.reserve(80)
        let waiting = Task { try await budget.reserve(50); return true }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await budget.inUse == 80)
        await budget.release(80)
        #expect(try await waiting.value)
        #expect(await budget.inUse == 50)
        await #expect(throws: UpstreamError.self) { try await budget.reserve(101) }
    }

    @Test("The limiter keeps at most reqConcurrent requests in flight")
    func limiter() async {
        let limiter = RequestLimiter(concurrent: 3, perSecond: nil)
        let peak = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    await limiter.acquire()
                    await peak.observe(await limiter.active)
                    try? await Task.sleep(for: .milliseconds(20))
                    await limiter.release()
                }
            }
        }
        let maximum = await peak.maximum
        #expect(maximum <= 3 && maximum >= 1)
        #expect(await limiter.active == 0)
    }

    @Test("reqPerSec spaces request starts evenly")
    func rate() async {
        let limiter = RequestLimiter(concurrent: 10, perSecond: 20)
        let start = ContinuousClock.now
        for _ in 0..<5 {
            await limiter.acquire()
            await limiter.release()
        }
        #expect(ContinuousClock.now - start >= .milliseconds(190))
    }

    @Test("The credentials file is re-read when it changes and a broken edit keeps the last good logins")
    func credentialsReload() throws {
        let directory = NSTemporaryDirectory() + "sync-creds-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/creds.json"
        try #"{"up:5000": {"username": "a", "password": "1"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let source = CredentialsFileSource(path: path, logger: Logger(label: "test"))
        #expect(source.current().login(host: "up", port: 5000)?.username == "a")
        try #"{"up:5000": {"username": "bb", "password": "22"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(source.current(now: Date().addingTimeInterval(2)).login(host: "up", port: 5000)?.username == "bb")
        try #"{"up:5000": {"username": "ccc""#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(source.current(now: Date().addingTimeInterval(4)).login(host: "up", port: 5000)?.username == "bb")
    }

    @Test("Docker Hub aliases resolve to registry-1.docker.io and find logins filed under docker.io")
    func dockerHubEndpoint() throws {
        let hub = try #require(UpstreamEndpoint("https://index.docker.io"))
        #expect(hub.isDockerHub && hub.base == "https://registry-1.docker.io")
        #expect(hub.credentialKeys.map(\.host).contains("docker.io"))
        let local = try #require(UpstreamEndpoint("http://127.0.0.1:5000"))
        #expect(!local.isDockerHub && local.base == "http://127.0.0.1:5000")
    }
}

actor Counter {
    var value = 0
    var maximum = 0
    func increment() { value += 1 }
    func observe(_ sample: Int) { maximum = max(maximum, sample) }
}
