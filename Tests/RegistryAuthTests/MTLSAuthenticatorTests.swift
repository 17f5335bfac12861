import Crypto
import Foundation
import RegistryAuth
import RegistryAuthCore
import RegistryCore
import SwiftASN1
import Testing
import X509

/// Builds self-signed P-256 client certificates for the tests.
private enum TestCertificate {
    static func der(
        subject: DistinguishedName,
        alternativeNames: [GeneralName] = [],
        notValidBefore: Date = Date().addingTimeInterval(-3600),
        notValidAfter: Date = Date().addingTimeInterval(3600)
    ) throws -> [UInt8] {
        let key = P256.Signing.PrivateKey()
        let extensions = try Certificate.Extensions {
            if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    static func aliceSubject() throws -> DistinguishedName {
        try DistinguishedName {
            CountryName("DE")
            OrganizationName("Example")
            CommonName("alice")
            EmailAddress("alice@subject.example")
        }
    }
}

@Suite("mTLS identity")
struct MTLSAuthenticatorTests {
    private func identity(_ authenticator: MTLSAuthenticator, _ der: [UInt8]) async throws -> Identity? {
        try await authenticator.authenticate(AuthenticationRequest(peerCertificateDER: der))
    }

    private let sans: [GeneralName] = [
        .dnsName("build-agent.example"),
        .rfc822Name("alice@san.example"),
        .uniformResourceIdentifier("https://other.example/x"),
        .uniformResourceIdentifier("spiffe://example.org/ns/ci/sa/builder"),
    ]

    @Test("the CommonName is the default identity")
    func commonNameDefault() async throws {
        let der = try TestCertificate.der(subject: try TestCertificate.aliceSubject())
        #expect(try await identity(try MTLSAuthenticator(), der) == Identity(username: "alice", method: .mtls))
    }

    @Test("Subject gives the full RFC 4514 distinguished name, most specific first")
    func subject() async throws {
        let der = try TestCertificate.der(subject: try TestCertificate.aliceSubject())
        let name = try await identity(try MTLSAuthenticator(identityAttributes: ["Subject"]), der)?.username
        #expect(name == "E=alice@subject.example,CN=alice,O=Example,C=DE")
    }

    @Test("Email prefers the SAN and falls back to the subject's emailAddress")
    func email() async throws {
        let authenticator = try MTLSAuthenticator(identityAttributes: ["Email"])
        let withSAN = try TestCertificate.der(subject: try TestCertificate.aliceSubject(), alternativeNames: sans)
        #expect(try await identity(authenticator, withSAN)?.username == "alice@san.example")
        let withoutSAN = try TestCertificate.der(subject: try TestCertificate.aliceSubject())
        #expect(try await identity(authenticator, withoutSAN)?.username == "alice@subject.example")
    }

    @Test("DNSName and URI take the first SAN of their kind")
    func dnsAndURI() async throws {
        let der = try TestCertificate.der(subject: try TestCertificate.aliceSubject(), alternativeNames: sans)
        #expect(try await identity(try MTLSAuthenticator(identityAttributes: ["dnsname"]), der)?.username == "build-agent.example")
        #expect(try await identity(try MTLSAuthenticator(identityAttributes: ["URI"]), der)?.username == "https://other.example/x")
    }

    @Test("uriSanPattern selects the matching URI and its capture group is the identity")
    func uriPattern() async throws {
        let der = try TestCertificate.der(subject: try TestCertificate.aliceSubject(), alternativeNames: sans)
        let authenticator = try MTLSAuthenticator(identityAttributes: ["URI"], uriSanPattern: "^spiffe://example\\.org/ns/[^/]+/sa/([^/]+)$")
        #expect(try await identity(authenticator, der)?.username == "builder")
    }

    @Test("attributes are tried in order until one is present")
    func fallbackOrder() async throws {
        let der = try TestCertificate.der(subject: try DistinguishedName { OrganizationName("NoCN") }, alternativeNames: [.dnsName("host.example")])
        let authenticator = try MTLSAuthenticator(identityAttributes: ["CommonName", "URI", "DNSName"])
        #expect(try await identity(authenticator, der)?.username == "host.example")
    }

    @Test("a certificate without any configured attribute is rejected")
    func noAttributeRejected() async throws {
        let der = try TestCertificate.der(subject: try DistinguishedName { OrganizationName("NoCN") })
        await #expect(throws: AuthenticationFailure.self) { try await identity(try MTLSAuthenticator(), der) }
        let unmatchedURI = try MTLSAuthenticator(identityAttributes: ["URI"], uriSanPattern: "^spiffe://other/(.+)$")
        let withSANs = try TestCertificate.der(subject: try TestCertificate.aliceSubject(), alternativeNames: sans)
        await #expect(throws: AuthenticationFailure.self) { try await identity(unmatchedURI, withSANs) }
    }

    @Test("certificates outside their validity period are rejected")
    func validityPeriod() async throws {
        let subject = try TestCertificate.aliceSubject()
        let expired = try TestCertificate.der(subject: subject, notValidBefore: Date().addingTimeInterval(-7200),
                                              notValidAfter: Date().addingTimeInterval(-3600))
        let future = try TestCertificate.der(subject: subject, notValidBefore: Date().addingTimeInterval(3600),
                                             notValidAfter: Date().addingTimeInterval(7200))
        let authenticator = try MTLSAuthenticator()
        for der in [expired, future] {
            do {
                _ = try await identity(authenticator, der)
                Issue.record("expected a rejection")
            } catch let failure as AuthenticationFailure {
                #expect(failure.kind == .invalidClientCertificate)
            }
        }
    }

    @Test("no certificate passes on; garbage bytes are rejected")
    func missingOrGarbage() async throws {
        let authenticator = try MTLSAuthenticator()
        #expect(try await authenticator.authenticate(AuthenticationRequest()) == nil)
        await #expect(throws: AuthenticationFailure.self) { try await identity(authenticator, [0x30, 0x03, 0x01]) }
    }

    @Test("unknown attribute names and invalid patterns are configuration errors")
    func configurationErrors() {
        #expect(throws: MTLSConfigurationError.unknownAttribute("Serial")) {
            try MTLSAuthenticator(identityAttributes: ["Serial"])
        }
        #expect(throws: MTLSConfigurationError.self) {
            try MTLSAuthenticator(identityAttributes: ["URI"], uriSanPattern: "([unclosed")
        }
    }
}
