import AsyncHTTPClient
import NIOCore
import RegistryStorage
import Synchronization

/// Hands the bytes of an upstream blob to the client that asked for it while storage writes them. The last chunk is
/// held back until storage has verified the digest, so a client never receives a complete body that failed
/// verification (it sees a cut connection instead). The client side buffers at most `bufferChunks` chunks: a client
/// slower than the upstream is cut off (it retries and is served from storage) and the download goes on.
final class BlobTee: Sendable {
    let stream: AsyncThrowingStream<ByteBuffer, any Error>
    private let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let held = Mutex<(chunk: ByteBuffer?, cut: Bool)>((nil, false))

    init(bufferChunks: Int = 256) {
        (stream, continuation) = AsyncThrowingStream.makeStream(bufferingPolicy: .bufferingOldest(bufferChunks))
    }

    /// Called for each upstream chunk, in order.
    func pass(_ chunk: ByteBuffer) {
        let previous = held.withLock { state -> ByteBuffer? in
            let previous = state.chunk
            state.chunk = chunk
            return state.cut ? nil : previous
        }
        guard let previous else { return }
        if case .dropped = continuation.yield(previous) { cut(UpstreamError.unavailable("the client reads slower than the upstream sends")) }
    }

    /// Storage verified the blob: the held chunk goes out and the stream ends.
    func complete() {
        let last = held.withLock { state -> ByteBuffer? in state.cut ? nil : state.chunk }
        if let last, case .dropped = continuation.yield(last) {
            cut(UpstreamError.unavailable("the client reads slower than the upstream sends"))
            return
        }
        continuation.finish()
    }

    /// The transfer or the verification failed: the client's body ends with an error.
    func fail(_ error: any Error) { cut(error) }

    private func cut(_ error: any Error) {
        held.withLock { $0.cut = true }
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
            tee.pass(chunk)
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
