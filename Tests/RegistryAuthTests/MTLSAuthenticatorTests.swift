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
        certificateAuthority: Bool = false,
        notValidBefore: Date = Date().addingTimeInterval(-3600),
        notValidAfter: Date = Date().addingTimeInterval(3600)
    ) throws -> [UInt8] {
        let key = P256.Signing.PrivateKey()
        let extensions = try Certificate.Extensions {
            if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
            if certificateAuthority { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil)) }
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

    @Test("uriSanPattern applies to the URI SAN at uriSanIndex and its capture group is the identity")
    func uriPattern() async throws {
        let der = try TestCertificate.der(subject: try TestCertificate.aliceSubject(), alternativeNames: sans)
        let pattern = "^spiffe://example\\.org/ns/[^/]+/sa/([^/]+)$"
        let second = try MTLSAuthenticator(identityAttributes: ["URI"], uriSanPattern: pattern, sanIndices: MTLSSANIndices(uri: 1))
        #expect(try await identity(second, der)?.username == "builder")
        // As Zot: the pattern does not search the other URIs; the first one does not match, so there is no identity.
        let first = try MTLSAuthenticator(identityAttributes: ["URI"], uriSanPattern: pattern)
        await #expect(throws: AuthenticationFailure.self) { try await identity(first, der) }
    }

    @Test("dnsSanIndex, emailSanIndex and uriSanIndex pick the n-th SAN of their kind, out of range tries the next attribute")
    func sanIndices() async throws {
        let names: [GeneralName] = [
            .dnsName("first.example"), .rfc822Name("one@san.example"), .dnsName("second.example"),
            .uniformResourceIdentifier("https://a.example"), .rfc822Name("two@san.example"), .uniformResourceIdentifier("https://b.example"),
        ]
        let der = try TestCertificate.der(subject: try TestCertificate.aliceSubject(), alternativeNames: names)
        #expect(try await identity(try MTLSAuthenticator(identityAttributes: ["DNSName"], sanIndices: MTLSSANIndices(dns: 1)), der)?.username == "second.example")
        #expect(try await identity(try MTLSAuthenticator(identityAttributes: ["Email"], sanIndices: MTLSSANIndices(email: 1)), der)?.username == "two@san.example")
        #expect(try await identity(try MTLSAuthenticator(identityAttributes: ["URI"], sanIndices: MTLSSANIndices(uri: 1)), der)?.username == "https://b.example")
        let outOfRange = try MTLSAuthenticator(identityAttributes: ["DNSName", "CommonName"], sanIndices: MTLSSANIndices(dns: 5))
        #expect(try await identity(outOfRange, der)?.username == "alice")
        // An index beyond the SAN emails does not fall back to the subject's emailAddress.
        let emailOnly = try MTLSAuthenticator(identityAttributes: ["Email"], sanIndices: MTLSSANIndices(email: 2))
        await #expect(throws: AuthenticationFailure.self) { try await identity(emailOnly, der) }
    }

    @Test("a SAN index for an attribute that is not configured, or a negative one, is a configuration error")
    func sanIndexConfigurationErrors() {
        #expect(throws: MTLSConfigurationError.unusedSANIndex("dnsSanIndex")) {
            try MTLSAuthenticator(identityAttributes: ["CommonName"], sanIndices: MTLSSANIndices(dns: 1))
        }
        #expect(throws: MTLSConfigurationError.negativeSANIndex("uriSanIndex")) {
            try MTLSAuthenticator(identityAttributes: ["URI"], sanIndices: MTLSSANIndices(uri: -1))
        }
    }

    @Test("a CA certificate (basicConstraints CA:TRUE) presented as a client certificate is refused")
    func certificateAuthorityRefused() async throws {
        let der = try TestCertificate.der(subject: try TestCertificate.aliceSubject(), certificateAuthority: true)
        do {
            _ = try await identity(try MTLSAuthenticator(), der)
            Issue.record("a CA certificate became a user")
        } catch let failure as AuthenticationFailure {
            #expect(failure.kind == .invalidClientCertificate)
            #expect(failure.detail.contains("CA"))
        }
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
