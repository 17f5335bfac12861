import Crypto
import NIOCore

/// `length` deterministic bytes, produced chunk by chunk (never held whole): a 64 KiB pseudo-random block,
/// each chunk stamped with its offset so no two chunks are equal.
struct PatternBytes: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let offset: Int64
    let length: Int64
    var chunkSize = 64 * 1024

    static let block: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<(64 * 1024)).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }()

    /// Byte at absolute position `position` of the pattern.
    static func byte(at position: Int64) -> UInt8 {
        let inBlock = Int(position % Int64(block.count))
        let stamp = position / Int64(block.count)
        if inBlock < 8 { return UInt8(truncatingIfNeeded: stamp >> (8 * Int64(inBlock))) }
        return block[inBlock]
    }

    /// The bytes at `range`, for comparing ranged reads (small ranges only).
    static func bytes(_ range: Range<Int64>) -> [UInt8] { range.map(byte(at:)) }

    struct AsyncIterator: AsyncIteratorProtocol {
        var position: Int64
        let end: Int64
        let chunkSize: Int
        mutating func next() async throws -> ByteBuffer? {
            guard position < end else { return nil }
            let count = Int(Swift.min(Int64(chunkSize), end - position))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            var remaining = count
            while remaining > 0 {
                let inBlock = Int(position % Int64(PatternBytes.block.count))
                if inBlock < 8 {
                    buffer.writeInteger(PatternBytes.byte(at: position))
                    position += 1
                    remaining -= 1
                    continue
                }
                let run = Swift.min(remaining, PatternBytes.block.count - inBlock)
                PatternBytes.block.withUnsafeBufferPointer { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[inBlock..<(inBlock + run)]))) }
                position += Int64(run)
                remaining -= run
            }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(position: offset, end: offset + length, chunkSize: chunkSize) }

    /// SHA-256 of the whole sequence, computed as it streams.
    func sha256() async throws -> SHA256.Digest {
        var hasher = SHA256()
        for try await chunk in self { chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        return hasher.finalize()
    }
}

/// Hashes and counts a body as it streams, never keeping more than one chunk.
func streamedDigest<Body: AsyncSequence>(_ body: Body) async throws -> (SHA256.Digest, Int64, Int)
where Body.Element == ByteBuffer {
    var hasher = SHA256()
    var count: Int64 = 0
    var largestChunk = 0
    for try await chunk in body {
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        count += Int64(chunk.readableBytes)
        largestChunk = Swift.max(largestChunk, chunk.readableBytes)
    }
    return (hasher.finalize(), count, largestChunk)
}
