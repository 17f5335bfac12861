import NIOCore
import RegistryStorage
import Testing
@testable import RegistrySync

@Suite("Streaming a blob to the client while it is stored")
struct BlobTeeTests {
    @Test("Chunks reach the client as they arrive, but the last only after storage verified the digest")
    func lastChunkWaitsForVerification() async throws {
        let tee = BlobTee()
        var iterator = tee.stream.makeAsyncIterator()
        tee.pass(ByteBuffer(string: "aa"))
        tee.pass(ByteBuffer(string: "bb"))
        #expect(try await iterator.next().map { String(buffer: $0) } == "aa")
        tee.complete()
        #expect(try await iterator.next().map { String(buffer: $0) } == "bb")
        #expect(try await iterator.next() == nil)
    }

    @Test("A failed verification cuts the client's body with an error instead of its last chunk")
    func failureCutsTheBody() async throws {
        let tee = BlobTee()
        var iterator = tee.stream.makeAsyncIterator()
        tee.pass(ByteBuffer(string: "aa"))
        tee.pass(ByteBuffer(string: "bb"))
        tee.fail(UpstreamError.rejected("digest mismatch"))
        #expect(try await iterator.next().map { String(buffer: $0) } == "aa")
        await #expect(throws: UpstreamError.self) { _ = try await iterator.next() }
    }

    @Test("A client slower than the upstream is cut off once its buffer is full; storage still gets every chunk")
    func slowClientIsCut() async throws {
        let tee = BlobTee(bufferChunks: 2)
        for index in 0..<6 { tee.pass(ByteBuffer(string: "\(index)")) }
        var received: [String] = []
        do {
            for try await chunk in tee.stream { received.append(String(buffer: chunk)) }
            Issue.record("the stream should have ended with an error")
        } catch {
            #expect(received == ["0", "1"])
        }
    }

    @Test("The stream handoff gives the value to a waiter that came before or after it was resolved")
    func handoff() async {
        let early = StreamHandoff()
        let waiting = Task { await early.wait() == nil }
        try? await Task.sleep(for: .milliseconds(20))
        early.resolve(nil)
        #expect(await waiting.value)
        let late = StreamHandoff()
        late.resolve(nil)
        late.resolve(StreamingBlobFixture.make())
        #expect(await late.wait() == nil)
    }
}

enum StreamingBlobFixture {
    static func make() -> StreamingBlob {
        StreamingBlob(size: 1, body: AsyncThrowingStream { $0.finish() })
    }
}
