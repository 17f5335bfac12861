@testable import RegistryAuth
import Testing

@Suite("htpasswd file parsing")
struct HtpasswdFileTests {
    @Test("supported hashes are loaded; blank lines, comments and CRLF endings are tolerated")
    func supportedEntries() throws {
        let bcrypt = try TestHash.make("a", prefix: "$2b$", count: 4)
        let sha256 = try TestHash.make("b", prefix: "$5$", count: 0)
        let sha512 = try TestHash.make("c", prefix: "$6$", count: 1000)
        let text = "# users\n\nalice:\(bcrypt)\r\n  bob:\(sha256)  \ncarol:\(sha512)\n"
        let file = HtpasswdFile(parsing: text)
        #expect(file.warnings.isEmpty)
        #expect(file.entries["alice"]?.scheme == .bcrypt(cost: 4))
        #expect(file.entries["bob"]?.scheme == .sha256Crypt(rounds: 5000))
        #expect(file.entries["carol"]?.scheme == .sha512Crypt(rounds: 1000))
    }

    @Test("weak or unknown hashes are skipped with a warning naming the line, never the hash")
    func rejectedEntries() throws {
        let good = try TestHash.make("pw")
        let text = """
        des:abJnggxhB/yWI
        apr:$apr1$Ikm3lDVe$bLIn8Vn1cXcz1ZfTzaIsD0
        sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=
        md5:$1$saltsalt$abcdefghijklmnopqrstuv
        plain:password123
        short:$2b$04$tooShort
        good:\(good)
        nocolon
        :emptyuser
        good:\(good)
        """
        let file = HtpasswdFile(parsing: text)
        #expect(Set(file.entries.keys) == ["good"])
        #expect(file.warnings.map(\.lineNumber) == [1, 2, 3, 4, 5, 6, 8, 9, 10])
        #expect(file.warnings[0].reason.contains("DES"))
        #expect(file.warnings[1].reason.contains("apr1"))
        #expect(file.warnings[2].reason.contains("SHA"))
        #expect(file.warnings[0].username == "des")
        for warning in file.warnings {
            #expect(!warning.description.contains("abJnggxhB"))
            #expect(!warning.description.contains("W6ph5Mm5"))
            #expect(!warning.description.contains("password123"))
        }
    }

    @Test("$2a$, $2b$ and $2y$ bcrypt prefixes are all accepted with their cost")
    func bcryptVariants() throws {
        let hash = try TestHash.make("pw", prefix: "$2b$", count: 5)
        for prefix in ["$2a$", "$2b$", "$2y$"] {
            let variant = prefix + hash.dropFirst(4)
            #expect(try PasswordHashScheme.classify(variant) == .bcrypt(cost: 5))
        }
    }

    @Test("the dummy-hash scheme follows the file's most common cost")
    func typicalScheme() throws {
        let cost4 = try TestHash.make("x", count: 4)
        let cost5 = try TestHash.make("x", count: 5)
        let sha = try TestHash.make("x", prefix: "$6$", count: 5000)
        let file = HtpasswdFile(parsing: "a:\(cost4)\nb:\(cost5)\nc:\(cost5)\nd:\(sha)\n")
        #expect(file.typicalScheme == .bcrypt(cost: 5))
        #expect(HtpasswdFile(parsing: "d:\(sha)\n").typicalScheme == .sha512Crypt(rounds: 5000))
        #expect(HtpasswdFile(parsing: "").typicalScheme == .bcrypt(cost: 10))
    }
}
