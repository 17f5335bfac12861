import Foundation
import RegistryAuth
import RegistryAuthCore
import Testing

@Suite("Basic credentials parsing")
struct BasicCredentialsTests {
    private func encode(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test("a well-formed header yields the user and password")
    func wellFormed() throws {
        let credentials = try BasicCredentials.parse(header: "Basic \(encode("alice:s3cret"))")
        #expect(credentials == BasicCredentials(username: "alice", password: "s3cret"))
    }

    @Test("the scheme is matched case-insensitively and extra spaces are tolerated")
    func schemeCaseInsensitive() throws {
        for scheme in ["basic", "BASIC", "bAsIc"] {
            let credentials = try BasicCredentials.parse(header: "\(scheme)   \(encode("bob:pw"))  ")
            #expect(credentials?.username == "bob")
        }
    }

    @Test("the password is split at the first colon only and may be empty")
    func firstColonSplit() throws {
        #expect(try BasicCredentials.parse(header: "Basic \(encode("u:a:b:c"))")?.password == "a:b:c")
        #expect(try BasicCredentials.parse(header: "Basic \(encode("u:"))")?.password == "")
    }

    @Test("another scheme is not claimed")
    func otherScheme() throws {
        #expect(try BasicCredentials.parse(header: "Bearer abc.def.ghi") == nil)
        #expect(try BasicCredentials.parse(header: "Basicfoo") == nil)
    }

    @Test("base64 without trailing padding is accepted")
    func missingPadding() throws {
        let unpadded = encode("ab:c").replacingOccurrences(of: "=", with: "")
        #expect(try BasicCredentials.parse(header: "Basic \(unpadded)")?.password == "c")
    }

    @Test("malformed Basic payloads are rejected", arguments: [
        "Basic",
        "Basic ",
        "Basic !!!notbase64",
        "Basic Zm9v",            // "foo": no colon
        "Basic OnB3",            // ":pw": empty user name
        "Basic /w==",            // 0xFF: not UTF-8
        "Basic YQBiOmM=",        // "a\0b:c": NUL
        "Basic Y",               // impossible base64 length
    ])
    func malformed(header: String) {
        #expect(throws: AuthenticationFailure.self) { try BasicCredentials.parse(header: header) }
        do {
            _ = try BasicCredentials.parse(header: header)
        } catch {
            #expect(error.kind == .malformedCredentials)
            #expect(!error.appliesFailDelay)
        }
    }

    @Test("headerValue round-trips through parse")
    func roundTrip() throws {
        let original = BasicCredentials(username: "ünï", password: "p:ä ss")
        #expect(try BasicCredentials.parse(header: original.headerValue) == original)
    }
}
