import Foundation
import Logging
import Testing
@testable import RegistryOIDC
import RegistryOIDCHTTP

/// Runs against a live `oidc-provider-mock` when `OIDC_MOCK_ISSUER` names it (e.g. `http://127.0.0.1:9400`),
/// started with `--user-claims '{"sub":"alice","groups":["dev"]}'`; needs `curl` to submit its login form.
@Suite("oidc-provider-mock integration", .enabled(if: ProcessInfo.processInfo.environment["OIDC_MOCK_ISSUER"] != nil))
struct OIDCProviderMockIntegrationTests {
    @Test("A full authorization-code login with PKCE against oidc-provider-mock names the user and groups")
    func fullLogin() async throws {
        let issuer = try #require(ProcessInfo.processInfo.environment["OIDC_MOCK_ISSUER"])
        let http = try AsyncOIDCHTTPClient()
        let party = OIDCRelyingParty(provider: "oidc", config: LoginProviderSettings(issuer: issuer, scopes: ["profile"]),
                                     clientID: "zot-authz", clientSecret: "secret", redirectURI: "http://127.0.0.1:1/callback",
                                     http: http, logger: Logger(label: "test"))
        let pkce = PKCE.generate()
        let (state, nonce) = (RandomToken.make(), RandomToken.make())
        let authorizationURL = try await party.authorizationURL(state: state, nonce: nonce, pkce: pkce)
        let redirect = try Self.submitLoginForm(authorizationURL, subject: "alice")
        let query = try #require(URLComponents(string: redirect)?.queryItems)
        #expect(query.first { $0.name == "state" }?.value == state)
        let code = try #require(query.first { $0.name == "code" }?.value)
        let user = try await party.completeLogin(code: code, codeVerifier: pkce.verifier, nonce: nonce)
        #expect(user == OIDCUser(username: "alice", groups: ["dev"]))
        await #expect(throws: OIDCError.self) {
            try await party.completeLogin(code: code, codeVerifier: pkce.verifier, nonce: nonce)
        }
        try await http.shutdown()
    }

    /// Posts the mock's login form and returns the redirect target.
    static func submitLoginForm(_ url: String, subject: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", "/dev/null", "-w", "%{redirect_url}", "-d", "sub=\(subject)", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let redirect = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return redirect
    }
}
