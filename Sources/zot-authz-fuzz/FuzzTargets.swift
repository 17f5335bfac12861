import RegistryAuthCore
import RegistryConfig
import RegistryCore
import RegistryPolicy

/// The parsers that read untrusted input, each as a function of arbitrary bytes. A target must never crash, hang or
/// trap, whatever the bytes; the results are checked for the invariants noted inline.
enum FuzzTargets {
    typealias Target = @Sendable ([UInt8]) -> Void

    /// Target name → function, for `scripts/fuzz.sh` and the corpus replay.
    static let all: [String: Target] = core.merging(authentication) { first, _ in first }

    /// The parsers of registry requests, names, manifests, config and policy.
    static let core: [String: Target] = [
        "manifest": { bytes in
            _ = try? ParsedManifest.parse(bytes, contentType: nil)
            _ = try? ParsedManifest.parse(bytes, contentType: MediaType.ociIndex)
        },
        "v2path": { bytes in
            let path = String(decoding: bytes, as: UTF8.self)
            if let endpoint = try? RegistryEndpoint.parse(path: path) {
                _ = endpoint.requirements(method: "PUT", mountSource: nil) { _, _ in false }
            }
        },
        "range": { bytes in
            let header = String(decoding: bytes, as: UTF8.self)
            if let range = try? ByteRange.parseRequestRange(header, size: 1_000_000) {
                precondition(range.lowerBound >= 0 && range.upperBound < 1_000_000, "range outside the blob")
            }
            _ = ByteRange.parseContentRange(header)
        },
        "names": { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if let name = RepositoryName(text) { precondition(RepositoryName(name.value) == name, "name does not round-trip") }
            if let digest = Digest(text) { precondition(Digest(digest.description) == digest, "digest does not round-trip") }
            _ = Reference(text)
        },
        "basic": { bytes in
            _ = try? BasicCredentials.parse(header: String(decoding: bytes, as: UTF8.self))
        },
        "config-json": { bytes in
            _ = try? ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), format: .json)
        },
        "config-yaml": { bytes in
            _ = try? ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), format: .yaml)
        },
        "glob": { bytes in
            // First line: the pattern; the rest: names to match.
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            guard let first = lines.first, let pattern = try? GlobPattern(String(first)) else { return }
            for name in lines.dropFirst().prefix(16) { _ = pattern.matches(String(name)) }
        },
        "policy": { bytes in
            // A whole config: its accessControl compiled and asked about a few identities and repositories.
            guard let config = try? ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), format: .json),
                  let policy = try? AccessPolicy(accessControl: config.http.accessControl, authentication: config.authenticationSettings)
            else { return }
            let identities = [Identity.anonymous, Identity(username: "alice", groups: ["dev"], method: .ldap),
                              Identity(username: "ci", method: .apiKey, scopes: [AccessScope(repositories: "team/**", actions: [.read])])]
            for identity in identities {
                for repository in ["a", "team/app", "team/app/x", "x/y/z"] {
                    for action in RegistryAction.allCases {
                        _ = policy.decide(identity, AccessRequirement(RepositoryName(repository)!, action))
                    }
                }
                _ = policy.decideMetrics(identity)
            }
        },
    ]
}
