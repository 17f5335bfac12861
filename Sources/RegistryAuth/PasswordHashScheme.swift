/// The password hash formats an htpasswd file may contain, and whether we accept them.
public enum PasswordHashScheme: Sendable, Hashable {
    /// bcrypt (`$2a$`, `$2b$`, `$2y$`) with its cost factor.
    case bcrypt(cost: Int)
    /// SHA-256 crypt (`$5$`) with its rounds (5000 when not stated).
    case sha256Crypt(rounds: Int)
    /// SHA-512 crypt (`$6$`) with its rounds (5000 when not stated).
    case sha512Crypt(rounds: Int)

    /// Why a stored hash is not accepted.
    public enum Rejection: String, Sendable, Hashable, Error {
        case des = "traditional DES crypt (13 characters, truncates passwords to 8 bytes)"
        case apacheMD5 = "Apache MD5 ($apr1$)"
        case sha1 = "unsalted SHA-1 ({SHA})"
        case md5Crypt = "MD5 crypt ($1$)"
        case malformedBcrypt = "malformed bcrypt hash"
        case malformedSHACrypt = "malformed SHA-crypt hash"
        case unrecognized = "unrecognised format (plaintext?)"
    }

    /// Classifies a stored hash; throws the reason it is rejected.
    public static func classify(_ hash: String) throws(Rejection) -> PasswordHashScheme {
        let bytes = Array(hash.utf8)
        if hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$") {
            // $2b$CC$ + 22 salt + 31 hash characters = 60 characters.
            guard bytes.count == 60, bytes[6] == UInt8(ascii: "$"),
                  let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost),
                  bytes[7...].allSatisfy(isCryptAlphabet)
            else { throw .malformedBcrypt }
            return .bcrypt(cost: cost)
        }
        if hash.hasPrefix("$5$") || hash.hasPrefix("$6$") {
            let rounds = try shaCryptRounds(bytes)
            return hash.hasPrefix("$5$") ? .sha256Crypt(rounds: rounds) : .sha512Crypt(rounds: rounds)
        }
        if hash.hasPrefix("$apr1$") { throw .apacheMD5 }
        if hash.hasPrefix("{SHA}") { throw .sha1 }
        if hash.hasPrefix("$1$") { throw .md5Crypt }
        if bytes.count == 13, bytes.allSatisfy(isCryptAlphabet) { throw .des }
        throw .unrecognized
    }

    /// The `crypt_gensalt` prefix and count that produce a hash of this scheme and cost.
    var gensaltParameters: (prefix: String, count: Int) {
        switch self {
        case .bcrypt(let cost): ("$2b$", cost)
        case .sha256Crypt(let rounds): ("$5$", rounds)
        case .sha512Crypt(let rounds): ("$6$", rounds)
        }
    }

    /// A stored-hash look-alike for users that are not in the file: a fresh salt of this scheme and cost followed by
    /// a random digest of the right length. Verifying any password against it costs one full hash of this scheme
    /// and cost, exactly like a real entry, and never matches (a random 186-bit or longer digest); making it needs
    /// no hashing, so loading a file costs no password-hashing round. `nil` when libcrypt cannot make the salt.
    func makeDecoyHash() -> String? {
        let (prefix, count) = gensaltParameters
        guard let setting = Crypt.generateSetting(prefix: prefix, count: count) else { return nil }
        let alphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        let digest = String((0..<digestLength).map { _ in alphabet.randomElement(using: &generator) ?? "." })
        switch self {
        case .bcrypt: return setting + digest  // $2b$CC$ + 22 salt characters, then the digest
        case .sha256Crypt, .sha512Crypt: return setting + "$" + digest
        }
    }

    /// Characters in the digest part of a hash of this scheme.
    private var digestLength: Int {
        switch self {
        case .bcrypt: 31
        case .sha256Crypt: 43
        case .sha512Crypt: 86
        }
    }

    /// `$5$[rounds=N$]salt$hash`: returns N (default 5000) after checking the structure.
    private static func shaCryptRounds(_ bytes: [UInt8]) throws(Rejection) -> Int {
        let fields = bytes.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        // ["", "5", ("rounds=N",) salt, hash]
        var rounds = 5000
        var rest = fields.dropFirst(2)
        if let first = rest.first, first.starts(with: Array("rounds=".utf8)) {
            guard let value = Int(String(decoding: first.dropFirst(7), as: UTF8.self)), value > 0 else {
                throw .malformedSHACrypt
            }
            rounds = value
            rest = rest.dropFirst()
        }
        guard rest.count == 2, let salt = rest.first, let digest = rest.last,
              !salt.isEmpty, salt.count <= 16, salt.allSatisfy(isCryptAlphabet),
              !digest.isEmpty, digest.allSatisfy(isCryptAlphabet)
        else { throw .malformedSHACrypt }
        return rounds
    }

    private static func isCryptAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
    }
}
