import HTTPTypes
import HummingbirdTesting
import NIOCore
import RegistryCore
import RegistryStorage
import Synchronization
import Testing

/// A pull-through source that records every call and has nothing upstream.
final class RecordingPullThrough: PullThroughSource {
    let calls = Mutex<[String]>([])

    func covers(_ repository: RepositoryName) -> Bool { repository.value.hasPrefix("docker.io/") }
    func fetchManifest(_ repository: RepositoryName, _ reference: Reference, requester: Identity) async throws -> Bool {
        calls.withLock { $0.append("manifest \(repository):\(reference) by \(requester.username ?? "anonymous")") }
        return false
    }
    func refreshTag(_ repository: RepositoryName, _ tag: String, requester: Identity) async {
        calls.withLock { $0.append("refresh \(repository):\(tag)") }
    }
    func fetchBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> Bool {
        calls.withLock { $0.append("blob \(repository)@\(digest)") }
        return false
    }
    func streamBlob(_ repository: RepositoryName, _ digest: Digest, requester: Identity) async throws -> StreamingBlob? {
        calls.withLock { $0.append("stream \(repository)@\(digest)") }
        throw RegistryError(.blobUnknown, detail: "not upstream")
    }
    func fetchReferrers(_ repository: RepositoryName, _ subject: Digest, requester: Identity) async {
        calls.withLock { $0.append("referrers \(repository)@\(subject)") }
    }
    func noteCacheHit(_ repository: RepositoryName) {}
}

@Suite("Pull-through cache behind the policy pipeline")
struct PullThroughPolicyTests {
    static let digest = "sha256:" + String(repeating: "a", count: 64)

    static func setup(_ source: RecordingPullThrough) -> RegistrySetup {
        RegistrySetup(users: [("alice", "alice-secret")], accessControl: """
            {"repositories":{"docker.io/**":{"policies":[{"users":["alice"],"actions":["read"]}]}}}
            """, configure: { $0.pullThrough = source })
    }

    @Test("A denied anonymous pull of a cached namespace makes no upstream call at all")
    func deniedMakesNoCall() async throws {
        let source = RecordingPullThrough()
        try await withRegistry(Self.setup(source)) { client in
            for (uri, method) in [("/v2/docker.io/library/alpine/manifests/3.19", HTTPRequest.Method.get),
                                  ("/v2/docker.io/library/alpine/manifests/3.19", .head),
                                  ("/v2/docker.io/library/alpine/blobs/\(Self.digest)", .get),
                                  ("/v2/docker.io/library/alpine/blobs/\(Self.digest)", .head),
                                  ("/v2/docker.io/library/alpine/referrers/\(Self.digest)", .get)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                }
            }
            try await client.execute(uri: "/v2/docker.io/library/alpine/manifests/3.19", method: .get,
                                     headers: basicAuthorization("alice", "wrong")) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(source.calls.withLock { $0 }.isEmpty)
    }

    @Test("An allowed pull of missing content asks the source, as the requesting user, and answers 404 when no upstream has it")
    func allowedAsksOnce() async throws {
        let source = RecordingPullThrough()
        try await withRegistry(Self.setup(source)) { client in
            let alice = basicAuthorization("alice", "alice-secret")
            try await client.execute(uri: "/v2/docker.io/library/alpine/manifests/3.19", method: .get, headers: alice) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v2/docker.io/library/alpine/blobs/\(Self.digest)", method: .get, headers: alice) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(source.calls.withLock { $0 } == [
            "manifest docker.io/library/alpine:3.19 by alice", "stream docker.io/library/alpine@\(Self.digest)"])
    }
}
