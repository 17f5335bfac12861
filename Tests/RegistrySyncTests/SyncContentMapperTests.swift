import Testing
import RegistryConfig
import RegistryCore
@testable import RegistrySync

/// Zot's `content_test.go` tables, reproduced.
@Suite("Sync content mapping")
struct SyncContentMapperTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let local: String
        let content: SyncContentConfig
        let upstream: String
        var testDescription: String { "\(content.prefix) → \(content.destination ?? "") strip=\(content.stripPrefix): \(upstream) ↔ \(local)" }
    }

    static let destinationCases: [Case] = [
        Case(local: "alpine/zot-fold/alpine", content: .init(prefix: "zot-fold/alpine", destination: "/alpine"), upstream: "zot-fold/alpine"),
        Case(local: "zot-fold/alpine", content: .init(prefix: "zot-fold/alpine", destination: "/"), upstream: "zot-fold/alpine"),
        Case(local: "alpine", content: .init(prefix: "zot-fold/alpine", destination: "/alpine", stripPrefix: true), upstream: "zot-fold/alpine"),
        Case(local: "/", content: .init(prefix: "zot-fold/alpine", destination: "/", stripPrefix: true), upstream: "zot-fold/alpine"),
        Case(local: "", content: .init(prefix: "/", destination: "/", stripPrefix: true), upstream: "/"),
        Case(local: "alpine", content: .init(prefix: "zot-fold/*", destination: "/", stripPrefix: true), upstream: "zot-fold/alpine"),
        Case(local: "alpine", content: .init(prefix: "zot-fold/**", destination: "/", stripPrefix: true), upstream: "zot-fold/alpine"),
        Case(local: "zot-fold/alpine", content: .init(prefix: "zot-fold/**", destination: "/"), upstream: "zot-fold/alpine"),
    ]

    @Test("GetRepoDestination: an upstream name lands under destination, with stripPrefix dropping the prefix", arguments: destinationCases)
    func destination(_ example: Case) {
        // Through the mapper, as Zot's test goes through ContentManager (no matching rule gives "").
        #expect((SyncContentMapper([example.content]).localName(forUpstream: example.upstream) ?? "") == example.local)
    }

    @Test("GetRepoSource is the inverse: a local name maps back to its upstream name", arguments: destinationCases)
    func source(_ example: Case) {
        #expect(SyncContentMapper.source(example.local, example.content) == example.upstream)
        if SyncContentMapper.source(example.local, example.content) != "/" {
            #expect(SyncContentMapper([example.content]).upstreamName(forLocal: example.local)?.name == example.upstream)
        }
    }

    @Test("A local name no rule maps has no upstream name; a malformed prefix matches nothing")
    func noMatch() {
        #expect(SyncContentMapper([.init(prefix: "repo", destination: "/mirror")]).upstreamName(forLocal: "other") == nil)
        #expect(!SyncContentMapper([.init(prefix: "[repo%^&")]).matches(upstream: "repo"))
        #expect(SyncContentMapper([.init(prefix: "[repo%^&")]).upstreamName(forLocal: "repo") == nil)
    }

    static let localRuleCases: [(String, [SyncContentConfig], Int?)] = [
        ("alpine/zot-fold/alpine", [.init(prefix: "zot-fold/alpine/", destination: "/alpine", stripPrefix: true),
                                    .init(prefix: "zot-fold/alpine", destination: "/alpine")], 1),
        ("alpine/zot-fold/alpine", [.init(prefix: "zot-fold/*", destination: "/alpine"),
                                    .init(prefix: "zot-fold/alpine", destination: "/alpine", stripPrefix: true)], 0),
        ("myFold/zot-fold/internal/alpine", [.init(prefix: "zot-fold/alpine", destination: "/alpine", stripPrefix: true),
                                             .init(prefix: "zot-fold/**", destination: "/myFold")], 1),
        ("alpine", [.init(prefix: "zot-fold/*", destination: "/alpine", stripPrefix: true),
                    .init(prefix: "zot-fold/alpine", destination: "/", stripPrefix: true)], nil),
        ("alpine", [.init(prefix: "zot-fold/*", destination: "/alpine", stripPrefix: true),
                    .init(prefix: "zot-fold/*", destination: "/", stripPrefix: true)], 1),
        ("alpine/alpine", [.init(prefix: "zot-fold/*", destination: "/alpine", stripPrefix: true),
                           .init(prefix: "zot-fold/*", destination: "/", stripPrefix: true)], 0),
    ]

    @Test("GetContentByLocalRepo picks the first rule whose local pattern matches")
    func ruleByLocalName() {
        for (local, rules, expected) in Self.localRuleCases {
            let mapper = SyncContentMapper(rules)
            let found = mapper.upstreamName(forLocal: local)?.rule?.config
            #expect(found == expected.map { rules[$0] }, "\(local)")
        }
    }

    @Test("The popular-registries mapping: **, destination /docker.io, and Docker Hub's implicit library/")
    func dockerHub() throws {
        let hub = SyncContentMapper([.init(prefix: "**", destination: "/docker.io")], upstreamIsDockerHub: true)
        #expect(hub.upstreamName(forLocal: "docker.io/library/alpine")?.name == "library/alpine")
        #expect(hub.upstreamName(forLocal: "docker.io/alpine")?.name == "library/alpine")
        #expect(hub.upstreamName(forLocal: "docker.io/bitnami/redis")?.name == "bitnami/redis")
        #expect(hub.upstreamName(forLocal: "ghcr.io/x") == nil)
        #expect(hub.localName(forUpstream: "library/alpine") == "docker.io/library/alpine")
        let ghcr = SyncContentMapper([.init(prefix: "**", destination: "ghcr.io")])
        #expect(ghcr.upstreamName(forLocal: "ghcr.io/project-zot/zot")?.name == "project-zot/zot")
        #expect(ghcr.upstreamName(forLocal: "ghcr.io/alpine")?.name == "alpine")
        let identity = SyncContentMapper([])
        #expect(identity.upstreamName(forLocal: "any/name")?.name == "any/name")
    }

    static let tagCases: [(String, [SyncContentConfig], [String], [String])] = [
        ("alpine", [.init(prefix: "**", tags: .init(regex: ".*", semver: false))], ["v1", "v2", "v3"], ["v1", "v2", "v3"]),
        ("alpine", [.init(prefix: "**", tags: .init())], ["v1", "v2", "v3"], ["v1", "v2", "v3"]),
        ("alpine", [.init(prefix: "**", tags: .init(regex: ".*", semver: true))], ["1s0", "2v9", "v3.0.3"], ["v3.0.3"]),
        ("infra/busybox", [.init(prefix: "infra/*", tags: .init(semver: true))], ["latest", "v1.0.1"], ["v1.0.1"]),
        ("kubernetes/kube-router", [.init(prefix: "kubernetes/kube-router", destination: "/mirror", tags: .init(regex: "1.5.0", semver: true))],
         ["1.5.0", "v2.5.0"], ["1.5.0"]),
        ("kubernetes/kube-router", [.init(prefix: "kubernetes/kube-router", destination: "/mirror", stripPrefix: true,
                                          tags: .init(regex: "1.5.0", semver: true))], ["1.5.0", "v2.5.0"], ["1.5.0"]),
        ("repo", [.init(prefix: "repo", tags: .init(regex: ".*"))], [], []),
        ("alpine", [.init(prefix: "**", tags: .init(excludeRegex: ".*"))], ["v1", "v2", "v3"], []),
        ("alpine", [.init(prefix: "**", tags: .init(excludeRegex: ".*(x86_64|aarch64|amd64|arm64)$"))],
         ["v1", "v2-x86_64", "v3-aarch64"], ["v1"]),
        ("alpine", [.init(prefix: "**", tags: .init(excludeRegex: ""))], ["v1", "v2", "v3"], ["v1", "v2", "v3"]),
    ]

    @Test("FilterTags: regex keeps, excludeRegex drops, semver keeps versions (Zot's table)")
    func tagFilters() {
        for (repository, rules, tags, expected) in Self.tagCases {
            #expect(SyncContentMapper(rules).filterTags(upstream: repository, tags) == expected, "\(repository) \(tags)")
        }
    }

    @Test("Doublestar globs: ** spans components and matches the parent, * stays in one, classes and braces work")
    func globs() throws {
        let cases: [(String, String, Bool)] = [
            ("a/**", "a", true), ("a/**", "a/b/c", true), ("a/*", "a/b/c", false), ("a/*", "a/b", true),
            ("**", "", true), ("**", "x/y", true), ("a/**/z", "a/z", true), ("a/**/z", "a/b/c/z", true),
            ("r?po", "repo", true), ("r[a-f]po", "repo", true), ("r[^e]po", "repo", false), ("{a,b}/x", "b/x", true),
            ("zot-fold/alpine", "zot-fold/alpine", true), ("zot-fold/alpine", "zot-fold/alpine2", false),
        ]
        for (pattern, name, expected) in cases {
            let glob = try #require(DoublestarPattern(pattern))
            #expect(glob.matches(name) == expected, "\(pattern) ~ \(name)")
        }
        #expect(DoublestarPattern("[repo%^&") == nil)
        #expect(DoublestarPattern.split("zot-fold/*/").base == "zot-fold")
        #expect(DoublestarPattern.split("**/").rest == "**/")
        #expect(DoublestarPattern.split("zot-fold/alpine/") == ("zot-fold/alpine", ""))
    }
}
