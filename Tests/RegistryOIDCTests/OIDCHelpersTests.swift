import Foundation
import Testing
@testable import RegistryOIDC

@Suite("OIDC helpers")
struct OIDCHelpersTests {
    @Test("The PKCE S256 challenge is the unpadded base64url SHA-256 of the verifier")
    func pkceVector() {
        // Expected value computed independently: base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()) in Python.
        let pkce = PKCE(verifier: "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pkce.challenge == "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc")
        #expect(pkce.method == "S256")
    }

    @Test("Generated PKCE verifiers and random tokens are long, url-safe and distinct")
    func randomness() {
        let first = PKCE.generate(), second = PKCE.generate()
        #expect(first.verifier.count == 43)
        #expect(first.verifier != second.verifier)
        let token = RandomToken.make()
        #expect(token.count == 43)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(RandomToken.make(bytes: 16).count == 22)
    }

    @Test("Issuers match only as exactly equal strings (a trailing slash is another issuer)")
    func issuerMatching() {
        #expect(!OIDCIssuer.matches("https://idp", "https://idp/"))
        #expect(!OIDCIssuer.matches("https://idp/", "https://idp"))
        #expect(OIDCIssuer.matches("https://idp/", "https://idp/"))
        #expect(OIDCIssuer.matches("https://idp", "https://idp"))
        #expect(!OIDCIssuer.matches("https://idp", "https://IDP"))
        #expect(!OIDCIssuer.matches("https://idp", "https://idp//"))
        #expect(!OIDCIssuer.matches("https://idp", "https://idp.evil"))
        #expect(OIDCIssuer.discoveryURL(for: "https://idp/") == "https://idp/.well-known/openid-configuration")
    }

    @Test("The credentials file yields client id and secret; bad files fail without revealing contents")
    func credentialsFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oidc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.json")
        try Data(#"{"clientid": "zot", "clientsecret": "hunter2"}"#.utf8).write(to: good)
        let loaded = try OIDCCredentialsFile.load(path: good.path)
        #expect(loaded.clientID == "zot")
        #expect(loaded.clientSecret == "hunter2")
        let bad = directory.appendingPathComponent("bad.json")
        try Data(#"{"clientid": "zot", "secret": "hunter2"}"#.utf8).write(to: bad)
        do {
            _ = try OIDCCredentialsFile.load(path: bad.path)
            Issue.record("a file without clientsecret was accepted")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
        #expect(throws: OIDCError.self) { try OIDCCredentialsFile.load(path: directory.appendingPathComponent("missing").path) }
    }

    @Test("Form encoding escapes reserved characters and Basic client auth form-encodes first")
    func formEncoding() {
        #expect(FormEncoding.body([("a b", "x&y=z+~")]) == "a%20b=x%26y%3Dz%2B~")
        #expect(FormEncoding.basicAuthorization(user: "c:1", password: "p w") == "Basic " + Data("c%3A1:p%20w".utf8).base64EncodedString())
    }

    @Test("Base64url decoding refuses padding and foreign characters")
    func base64URL() {
        #expect(Base64URL.decode("aGk") == Array("hi".utf8))
        #expect(Base64URL.decode("aGk=") == nil)
        #expect(Base64URL.decode("a+k") == nil)
        #expect(Base64URL.decode("a") == nil)
    }
}
