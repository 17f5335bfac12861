import NIOCore
import Synchronization

/// The chunks of a `StorageDriver.reader` call: a single-pass `AsyncSequence` of `ByteBuffer`.
/// Drivers build it from a `StorageChunkSource` (pull-based, so the consumer's pace is the
/// read's pace) or from any other `Sendable` async sequence of buffers.
public struct StorageReadStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private let source: any StorageChunkSource

    /// A stream that asks `source` for each chunk.
    public init(_ source: some StorageChunkSource) { self.source = source }

    /// A stream over another sequence of buffers (e.g. an HTTP response body).
    public init<Chunks: AsyncSequence & Sendable>(chunks: Chunks) where Chunks.Element == ByteBuffer {
        source = SequenceChunkSource(chunks)
    }

    /// An empty stream.
    public static var empty: StorageReadStream { StorageReadStream(chunks: [ByteBuffer]().async) }

    public func makeAsyncIterator() -> Iterator { Iterator(source: source) }

    /// Pulls chunks from the source.
    public struct Iterator: AsyncIteratorProtocol {
        let source: any StorageChunkSource
        public mutating func next() async throws -> ByteBuffer? { try await source.nextChunk() }
    }
}

/// Produces a read's chunks on demand. A source must release what it holds (file descriptors,
/// connections) once it returned `nil` or threw, and in `deinit` when dropped unfinished.
public protocol StorageChunkSource: AnyObject, Sendable {
    /// The next chunk, or `nil` at the end. Called by one task at a time.
    func nextChunk() async throws -> ByteBuffer?
}

/// Adapts an async sequence of buffers to a chunk source.
final class SequenceChunkSource<Chunks: AsyncSequence & Sendable>: StorageChunkSource, @unchecked Sendable where Chunks.Element == ByteBuffer {
    // Only touched by the one consuming task at a time (the protocol's rule).
    private var iterator: Chunks.AsyncIterator

    init(_ chunks: Chunks) { iterator = chunks.makeAsyncIterator() }

    func nextChunk() async throws -> ByteBuffer? { try await iterator.next() }
}

/// A finite array exposed as an async sequence.
struct ArrayAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]
    struct AsyncIterator: AsyncIteratorProtocol {
        var index = 0
        let elements: [Element]
        mutating func next() async -> Element? {
            guard index < elements.count else { return nil }
            defer { index += 1 }
            return elements[index]
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(elements: elements) }
}

extension Array where Element: Sendable {
    /// This array as an async sequence.
    var async: ArrayAsyncSequence<Element> { ArrayAsyncSequence(elements: self) }
}
