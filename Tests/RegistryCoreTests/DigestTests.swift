import RegistryCore
import Testing

@Suite("Digest")
struct DigestTests {
    @Test("well-formed sha256 and sha512 digests parse and print back unchanged", arguments: [
        (sha256Hello, Digest.Algorithm.sha256),
        (sha256Empty, .sha256),
        (sha512Empty, .sha512),
    ])
    func validDigests(text: String, algorithm: Digest.Algorithm) throws {
        let parsed = try #require(Digest(text))
        #expect(parsed.algorithm == algorithm)
        #expect(parsed.description == text)
        #expect(parsed.hex.count == algorithm.hexLength)
    }

    static let helloHex = String(sha256Hello.dropFirst(7))
    static let sha512Hex = String(sha512Empty.dropFirst(7))
    static let malformed: [String] = {
        var list: [String] = ["", "sha256", "sha256:", helloHex, "sha256" + helloHex]
        list += [String(sha256Hello.dropLast()), sha256Hello + "0"]
        list += ["sha256:" + sha512Hex, "sha512:" + helloHex]
        list += ["sha256:" + helloHex.uppercased(), "SHA256:" + helloHex]
        list += ["md5:5d41402abc4b2a76b9719d911017c592", "sha384:" + String(repeating: "a", count: 96)]
        list += ["sha256+b64u:" + String(repeating: "a", count: 64), "sha256:" + String(repeating: "g", count: 64)]
        list += ["sha256: " + String(repeating: "a", count: 63), " " + sha256Hello, sha256Hello + "\n"]
        return list
    }()

    @Test("malformed digests are rejected: missing colon, wrong length, upper case, unknown algorithm", arguments: malformed)
    func invalidDigests(text: String) {
        #expect(Digest(text) == nil)
    }

    @Test("Digest.of matches known vectors", arguments: [
        ("hello", Digest.Algorithm.sha256, sha256Hello),
        ("", .sha256, sha256Empty),
        ("", .sha512, sha512Empty),
        ("abc", .sha512, "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ])
    func knownVectors(input: String, algorithm: Digest.Algorithm, expected: String) {
        #expect(Digest.of(Array(input.utf8), algorithm: algorithm).description == expected)
    }

    @Test("incremental hashing in uneven pieces equals one-shot hashing", arguments: Digest.Algorithm.allCases)
    func incrementalEqualsOneShot(algorithm: Digest.Algorithm) {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = DigestHasher(algorithm: algorithm)
        var index = 0
        var piece = 1
        while index < data.count {
            let end = min(data.count, index + piece)
            hasher.update(Array(data[index..<end]))
            index = end
            piece = piece * 3 + 1
        }
        #expect(hasher.finalize() == Digest.of(data, algorithm: algorithm))
    }

    @Test("finalize does not consume the hasher, so more bytes can follow")
    func finalizeIsNonConsuming() {
        var hasher = DigestHasher(algorithm: .sha256)
        hasher.update(Array("hel".utf8))
        _ = hasher.finalize()
        hasher.update(Array("lo".utf8))
        #expect(hasher.finalize().description == sha256Hello)
    }
}
