import NIOCore
import RegistryStorage
import Testing
@testable import RegistrySync

@Suite("Streaming a blob to the client while it is stored")
struct BlobTeeTests {
    @Test("Chunks reach the client as they arrive, but the last only after storage verified the digest")
    func lastChunkWaitsForVerification() async throws {
        let tee = BlobTee()
        var iterator = tee.body.makeAsyncIterator()
        await tee.pass(ByteBuffer(string: "aa"))
        await tee.pass(ByteBuffer(string: "bb"))
        #expect(try await iterator.next().map { String(buffer: $0) } == "aa")
        tee.complete()
        #expect(try await iterator.next().map { String(buffer: $0) } == "bb")
        #expect(try await iterator.next() == nil)
    }

    @Test("A failed verification cuts the client's body with an error instead of its last chunk")
    func failureCutsTheBody() async throws {
        let tee = BlobTee()
        var iterator = tee.body.makeAsyncIterator()
        await tee.pass(ByteBuffer(string: "aa"))
        await tee.pass(ByteBuffer(string: "bb"))
        tee.fail(UpstreamError.rejected("digest mismatch"))
        #expect(try await iterator.next().map { String(buffer: $0) } == "aa")
        await #expect(throws: UpstreamError.self) { _ = try await iterator.next() }
    }

    @Test("The download waits for a client more than the window behind, and goes on once it reads")
    func backpressure() async throws {
        let tee = BlobTee(window: 4, stall: .seconds(30))
        await tee.pass(ByteBuffer(string: "0000"))
        let producer = Task {
            await tee.pass(ByteBuffer(string: "1111"))
            await tee.pass(ByteBuffer(string: "2222"))  // "1111" is now 8 bytes ahead of a client that read nothing
            return true
        }
        try await Task.sleep(for: .milliseconds(100))
        var iterator = tee.body.makeAsyncIterator()
        #expect(try await iterator.next().map { String(buffer: $0) } == "0000")
        #expect(try await iterator.next().map { String(buffer: $0) } == "1111")
        #expect(await producer.value)
        tee.complete()
        #expect(try await iterator.next().map { String(buffer: $0) } == "2222")
    }

    @Test("A client that stops reading is cut off after the stall time and the download goes on")
    func stalledClientIsCut() async throws {
        let tee = BlobTee(window: 1, stall: .milliseconds(50))
        let started = ContinuousClock.now
        for _ in 0..<4 { await tee.pass(ByteBuffer(string: "xx")) }
        #expect(ContinuousClock.now - started < .seconds(25))  // without the cut it would wait forever
        var received = 0
        do {
            for try await chunk in tee.body { received += chunk.readableBytes }
            Issue.record("the stream should have ended with an error")
        } catch {
            #expect(received <= 4)
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
        late.resolve(StreamingBlob(size: 1, body: BlobTee().body))
        #expect(await late.wait() == nil)
    }
}
