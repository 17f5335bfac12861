import AsyncHTTPClient
import NIOCore
import RegistryStorage
import Synchronization

/// Hands the bytes of an upstream blob to the client that asked for it while storage writes them. The last chunk is
/// held back until storage has verified the digest, so a client never receives a complete body that failed
/// verification (it sees a cut connection instead). The download paces itself on the client (at most
/// `window` bytes ahead of what it has read); a client that goes away, or reads nothing for `stall`, is cut off and
/// the download continues at full speed for storage.
final class BlobTee: Sendable {
    private struct State {
        var held: ByteBuffer?
        var cut = false
        var sent: Int64 = 0
        var consumed: Int64 = 0
        var lastRead = ContinuousClock.now
    }

    private let chunks: AsyncThrowingStream<ByteBuffer, any Error>
    private let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let state = Mutex(State())
    private let window: Int64
    private let stall: Duration

    init(window: Int64 = 8 << 20, stall: Duration = .seconds(30)) {
        (chunks, continuation) = AsyncThrowingStream.makeStream(bufferingPolicy: .unbounded)
        self.window = window
        self.stall = stall
        continuation.onTermination = { [weak self] _ in self?.state.withLock { $0.cut = true } }
    }

    /// What the HTTP response sends.
    var body: StreamingBlobBody {
        StreamingBlobBody(chunks: chunks) { [self] bytes in
            state.withLock {
                $0.consumed += Int64(bytes)
                $0.lastRead = .now
            }
        }
    }

    /// Called for each upstream chunk, in order; waits while the client is more than `window` bytes behind.
    func pass(_ chunk: ByteBuffer) async {
        let previous = state.withLock { state -> ByteBuffer? in
            let previous = state.held
            state.held = chunk
            guard !state.cut, let previous else { return nil }
            state.sent += Int64(previous.readableBytes)
            return previous
        }
        guard let previous else { return }
        continuation.yield(previous)
        while true {
            let (behind, cut, idle) = state.withLock { ($0.sent - $0.consumed, $0.cut, ContinuousClock.now - $0.lastRead) }
            if cut || behind <= window { return }
            if idle > stall {
                self.cut(UpstreamError.unavailable("the client stopped reading"))
                return
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Storage verified the blob: the held chunk goes out and the stream ends.
    func complete() {
        let last = state.withLock { state -> ByteBuffer? in state.cut ? nil : state.held }
        if let last { continuation.yield(last) }
        continuation.finish()
    }

    /// The transfer or the verification failed: the client's body ends with an error.
    func fail(_ error: any Error) { cut(error) }

    private func cut(_ error: any Error) {
        state.withLock { $0.cut = true }
        continuation.finish(throwing: error)
    }
}

/// An upstream body that copies each chunk into a ``BlobTee`` as storage consumes it.
struct TeeBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: HTTPClientResponse.Body
    let tee: BlobTee

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let tee: BlobTee
        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            await tee.pass(chunk)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: body.makeAsyncIterator(), tee: tee) }
}

/// Passes the leader's stream from the flight to the request that started it, once.
final class StreamHandoff: Sendable {
    private enum State {
        case pending(CheckedContinuation<StreamingBlob?, Never>?)
        case resolved(StreamingBlob?)
    }

    private let state = Mutex<State>(.pending(nil))

    func resolve(_ value: StreamingBlob?) {
        let waiter = state.withLock { state -> CheckedContinuation<StreamingBlob?, Never>?? in
            guard case .pending(let waiter) = state else { return nil }
            state = .resolved(value)
            return .some(waiter)
        }
        if case .some(.some(let continuation)) = waiter { continuation.resume(returning: value) }
    }

    func wait() async -> StreamingBlob? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> StreamingBlob?? in
                switch state {
                case .resolved(let value): return .some(value)
                case .pending:
                    state = .pending(continuation)
                    return nil
                }
            }
            if case .some(let value) = ready { continuation.resume(returning: value) }
        }
    }
}
