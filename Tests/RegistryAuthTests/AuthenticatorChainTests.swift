import RegistryAuth
import RegistryAuthCore
import RegistryCore
import Synchronization
import Testing

/// An authenticator with a fixed answer that counts its calls.
private final class ScriptedAuthenticator: Authenticator {
    enum Answer: Sendable {
        case identity(Identity)
        case pass
        case reject(AuthenticationFailure)
    }

    let answer: Answer
    let credentialSource: CredentialSource
    private let calls = Atomic<Int>(0)
    var callCount: Int { calls.load(ordering: .relaxed) }

    init(_ answer: Answer, reads source: CredentialSource = .authorizationHeader) {
        self.answer = answer
        self.credentialSource = source
    }

    func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        calls.add(1, ordering: .relaxed)
        switch answer {
        case .identity(let identity): return identity
        case .pass: return nil
        case .reject(let failure): throw failure
        }
    }
}

@Suite("Authenticator chain")
struct AuthenticatorChainTests {
    private let alice = Identity(username: "alice", method: .htpasswd)
    private let bob = Identity(username: "bob", method: .ldap)

    private func outcome(_ chain: AuthenticatorChain, _ request: AuthenticationRequest) async -> Result<Identity, AuthenticationFailure> {
        do throws(AuthenticationFailure) {
            return .success(try await chain.authenticate(request))
        } catch {
            return .failure(error)
        }
    }

    @Test("the first authenticator that returns an identity wins and later ones are not asked")
    func firstIdentityWins() async throws {
        let first = ScriptedAuthenticator(.pass)
        let second = ScriptedAuthenticator(.identity(alice))
        let third = ScriptedAuthenticator(.identity(bob))
        let result = await outcome(AuthenticatorChain([first, second, third]), .basic("alice", "pw"))
        #expect(try result.get() == alice)
        #expect(first.callCount == 1 && second.callCount == 1 && third.callCount == 0)
    }

    @Test("a request without credentials that nobody claims is anonymous")
    func anonymous() async throws {
        let result = await outcome(AuthenticatorChain([ScriptedAuthenticator(.pass)]), AuthenticationRequest())
        #expect(try result.get() == .anonymous)
    }

    @Test("presented credentials that nobody accepts are rejected with failDelay, without echoing the password")
    func unclaimedCredentialsRejected() async {
        let result = await outcome(AuthenticatorChain([ScriptedAuthenticator(.pass)]), .basic("mallory", "hunter2"))
        guard case .failure(let failure) = result else {
            Issue.record("expected a rejection")
            return
        }
        #expect(failure.kind == .invalidCredentials)
        #expect(failure.appliesFailDelay)
        #expect(failure.detail.contains("mallory"))
        #expect(!failure.detail.contains("hunter2"))
    }

    @Test("an empty chain still rejects presented credentials")
    func emptyChainRejects() async {
        let result = await outcome(AuthenticatorChain([]), AuthenticationRequest(authorizationHeaders: ["Bearer x"]))
        #expect(throws: AuthenticationFailure.self) { try result.get() }
    }

    @Test("more than one Authorization header is rejected before any authenticator runs")
    func multipleHeadersRejected() async {
        let authenticator = ScriptedAuthenticator(.identity(alice))
        let request = AuthenticationRequest(authorizationHeaders: ["Basic YTpi", "Basic YTpi"])
        let result = await outcome(AuthenticatorChain([authenticator]), request)
        guard case .failure(let failure) = result else {
            Issue.record("expected a rejection")
            return
        }
        #expect(failure.kind == .multipleAuthorizationHeaders)
        #expect(authenticator.callCount == 0)
    }

    @Test("an authenticator that throws rejects the request even if a later one would accept")
    func throwingAuthenticatorRejects() async {
        let rejecting = ScriptedAuthenticator(.reject(.invalidClientCertificate("expired")), reads: .clientCertificate)
        let accepting = ScriptedAuthenticator(.identity(alice), reads: .sessionCookie)
        let result = await outcome(AuthenticatorChain([rejecting, accepting]), AuthenticationRequest())
        guard case .failure(let failure) = result else {
            Issue.record("expected a rejection")
            return
        }
        #expect(failure.kind == .invalidClientCertificate)
        #expect(accepting.callCount == 0)
    }

    @Test("wrong presented credentials fail even when the client certificate would authenticate")
    func wrongPasswordWithCertificateFails() async {
        let htpasswd = ScriptedAuthenticator(.pass)
        let certificate = ScriptedAuthenticator(.identity(alice), reads: .clientCertificate)
        let request = AuthenticationRequest(authorizationHeaders: ["Basic Ym9iOldST05H"], peerCertificateDER: [1, 2, 3])
        let result = await outcome(AuthenticatorChain([htpasswd, certificate]), request)
        guard case .failure(let failure) = result else {
            Issue.record("expected a rejection, got \(result)")
            return
        }
        #expect(failure.kind == .invalidCredentials && failure.appliesFailDelay)
        #expect(certificate.callCount == 0)
    }

    @Test("an API key presented with a client certificate authenticates as the key, scopes included")
    func apiKeyWinsOverCertificate() async throws {
        let key = Identity(username: "bob", method: .apiKey, scopes: [AccessScope(repositories: "bob/**", actions: [.read])])
        let certificate = ScriptedAuthenticator(.identity(alice), reads: .clientCertificate)
        let apiKeys = ScriptedAuthenticator(.identity(key))
        let request = AuthenticationRequest(authorizationHeaders: ["Basic Ym9iOnphaw=="], peerCertificateDER: [1, 2, 3])
        let result = await outcome(AuthenticatorChain([certificate, apiKeys]), request)
        #expect(try result.get() == key)
        #expect(certificate.callCount == 0)
    }

    @Test("without an Authorization header, the certificate and then the session cookie are asked; header sources are not")
    func connectionSourcesWithoutHeader() async throws {
        let htpasswd = ScriptedAuthenticator(.identity(bob))
        let certificate = ScriptedAuthenticator(.pass, reads: .clientCertificate)
        let session = ScriptedAuthenticator(.identity(alice), reads: .sessionCookie)
        let result = await outcome(AuthenticatorChain([htpasswd, certificate, session]), AuthenticationRequest(cookieHeaders: ["s=1"]))
        #expect(try result.get() == alice)
        #expect(htpasswd.callCount == 0 && certificate.callCount == 1)
    }
}
