import RegistryAuthCore
import Foundation
import NIOCore
@testable import RegistryAuth
import RegistryCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Configs for authenticators that point at a directory which is not there (or does not answer).
enum LDAPTestConfig {
    static func make(port: Int = 1, credentialsFile: String? = nil, insecure: Bool = true) -> LDAPSettings {
        LDAPSettings(address: "127.0.0.1", port: port, insecure: insecure, baseDN: "ou=people,dc=example,dc=org",
                   userAttribute: "uid", userGroupAttribute: "memberOf", credentialsFile: credentialsFile)
    }
}

/// A TCP port that accepts connections (the kernel completes the handshake) but never answers: a hung directory.
final class SilentListener {
    let port: Int
    private let socketFD: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        socketFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socketFD) }
}

@Suite("LDAP authenticator without a directory")
struct LDAPAuthenticatorTests {
    @Test("an empty password is refused before any bind (it would be an unauthenticated bind that succeeds)")
    func emptyPasswordNeverBinds() async throws {
        // Port 1 is closed: any directory job would fail with backendUnavailable instead of returning nil.
        let authenticator = try LDAPAuthenticator(config: LDAPTestConfig.make(), logger: CapturedLogs().logger)
        #expect(try await authenticator.authenticate(.basic("alice", "")) == nil)
        #expect(authenticator.directoryJobCount == 0)
    }

    @Test("other schemes and requests without credentials are passed on without a directory job")
    func otherSchemes() async throws {
        let authenticator = try LDAPAuthenticator(config: LDAPTestConfig.make(), logger: CapturedLogs().logger)
        #expect(try await authenticator.authenticate(AuthenticationRequest()) == nil)
        #expect(try await authenticator.authenticate(AuthenticationRequest(authorizationHeaders: ["Bearer abc"])) == nil)
        #expect(authenticator.directoryJobCount == 0)
    }

    @Test("a directory that refuses connections makes the backend unavailable, quickly")
    func unreachableDirectory() async throws {
        let authenticator = try LDAPAuthenticator(config: LDAPTestConfig.make(), logger: CapturedLogs().logger)
        let started = ContinuousClock.now
        await #expect {
            try await authenticator.authenticate(.basic("alice", "secret"))
        } throws: { error in
            (error as? AuthenticationFailure)?.kind == .backendUnavailable
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(authenticator.directoryJobCount == 1)
    }

    @Test("a directory that accepts but never answers times out instead of hanging")
    func silentDirectoryTimesOut() async throws {
        let listener = try SilentListener()
        let options = LDAPAuthenticator.Options(timeoutSeconds: 1)
        let authenticator = try LDAPAuthenticator(config: LDAPTestConfig.make(port: listener.port), options: options, logger: CapturedLogs().logger)
        let started = ContinuousClock.now
        await #expect {
            try await authenticator.authenticate(.basic("alice", "secret"))
        } throws: { error in
            (error as? AuthenticationFailure)?.kind == .backendUnavailable
        }
        #expect(ContinuousClock.now - started < .seconds(4))
    }

    @Test("a request waiting for a connection slot gives up after the wait timeout")
    func slotWaitTimesOut() async throws {
        let listener = try SilentListener()
        let options = LDAPAuthenticator.Options(maxConnections: 1, timeoutSeconds: 2, slotWaitTimeout: .milliseconds(300))
        let authenticator = try LDAPAuthenticator(config: LDAPTestConfig.make(port: listener.port), options: options, logger: CapturedLogs().logger)
        async let holder: Identity? = authenticator.authenticate(.basic("alice", "secret"))
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        do {
            _ = try await authenticator.authenticate(.basic("bob", "secret"))
            Issue.record("the second login should not have run")
        } catch {
            #expect(error.kind == .backendUnavailable)
            #expect(error.detail.contains("no LDAP connection became free"))
        }
        #expect(ContinuousClock.now - started < .seconds(1.5))
        _ = try? await holder
    }

    @Test("a DN with an empty bind password in the main config is refused at setup")
    func inlineEmptyServicePassword() {
        var config = LDAPTestConfig.make()
        config.bindDN = "cn=reader,dc=example,dc=org"
        config.bindPassword = ""
        #expect(throws: LDAPSetupError.self) { try LDAPAuthenticator(config: config, logger: CapturedLogs().logger) }
    }
}

@Suite("LDAP endpoint")
struct LDAPEndpointTests {
    @Test("the TLS flags choose the URI scheme and transport")
    func transports() {
        var config = LDAPTestConfig.make(port: 389, insecure: true)
        #expect(LDAPEndpoint(config: config).uri == "ldap://127.0.0.1:389")
        #expect(LDAPEndpoint(config: config).transport == .plain)
        config.insecure = false
        config.port = 636
        #expect(LDAPEndpoint(config: config).uri == "ldaps://127.0.0.1:636")
        config.startTLS = true
        config.port = 389
        #expect(LDAPEndpoint(config: config).uri == "ldap://127.0.0.1:389")
        #expect(LDAPEndpoint(config: config).transport == .startTLS)
    }

    @Test("IPv6 addresses are bracketed in the URI")
    func ipv6() {
        #expect(LDAPEndpoint(address: "::1", port: 636, transport: .ldaps).uri == "ldaps://[::1]:636")
    }
}
