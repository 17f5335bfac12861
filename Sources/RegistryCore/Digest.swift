import Crypto

/// A content digest such as `sha256:0123…`, validated against the OCI digest grammar.
///
/// Only registered algorithms we can verify are accepted (`sha256`, `sha512`); the hex part
/// must be lowercase and of the algorithm's exact length.
public struct Digest: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// Hash algorithms we can verify while streaming.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256
        case sha512

        /// Number of lowercase hex characters in an encoded digest of this algorithm.
        public var hexLength: Int { self == .sha256 ? 64 : 128 }
    }

    /// The algorithm part, before the colon.
    public let algorithm: Algorithm
    /// The lowercase hex encoding, after the colon.
    public let hex: String

    /// Parses `algorithm:hex`; returns `nil` for anything that is not a verifiable digest.
    public init?(_ text: some StringProtocol) {
        guard let colon = text.firstIndex(of: ":"),
              let algorithm = Algorithm(rawValue: String(text[text.startIndex..<colon])) else { return nil }
        let hex = text[text.index(after: colon)...]
        guard hex.utf8.count == algorithm.hexLength,
              hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        self.algorithm = algorithm
        self.hex = String(hex)
    }

    /// Creates a digest from an already validated algorithm and hex string.
    init(algorithm: Algorithm, hex: String) {
        self.algorithm = algorithm
        self.hex = hex
    }

    /// The canonical `algorithm:hex` form.
    public var description: String { "\(algorithm.rawValue):\(hex)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    /// Digest of a complete byte sequence (for manifests and tests; blobs are hashed incrementally).
    public static func of(_ bytes: some Sequence<UInt8>, algorithm: Algorithm = .sha256) -> Digest {
        var hasher = DigestHasher(algorithm: algorithm)
        hasher.update(Array(bytes))
        return hasher.finalize()
    }
}

/// Incremental hasher that produces a `Digest`, used while streaming blob bytes.
public struct DigestHasher: Sendable {
    private enum State: Sendable {
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var state: State
    /// The algorithm this hasher computes.
    public let algorithm: Digest.Algorithm

    /// Starts an empty hash of the given algorithm.
    public init(algorithm: Digest.Algorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var h): h.update(bufferPointer: bytes); state = .sha256(h)
        case .sha512(var h): h.update(bufferPointer: bytes); state = .sha512(h)
        }
    }

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Returns the digest of everything added so far (the hasher itself is not consumed).
    public func finalize() -> Digest {
        let bytes: [UInt8]
        switch state {
        case .sha256(let h): bytes = Array(h.finalize())
        case .sha512(let h): bytes = Array(h.finalize())
        }
        return Digest(algorithm: algorithm, hex: Self.hexString(bytes))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hexString(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
