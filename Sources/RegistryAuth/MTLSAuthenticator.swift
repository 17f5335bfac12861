import RegistryAuthCore
import Foundation
import RegistryCore
import X509

/// Names the user of a request from its verified TLS client certificate.
///
/// TLS verification (chain to the client CA) happens in the HTTP layer; this authenticator only reads the
/// leaf it is handed, re-checks its validity period (defence in depth), refuses CA certificates (a trusted root
/// presented as a client certificate passes TLS verification), and takes the identity from the first
/// configured attribute that is present. No certificate → `nil`; a certificate that is unparseable, outside
/// its validity period, or carries none of the attributes → thrown ``AuthenticationFailure``.
public struct MTLSAuthenticator: Authenticator {
    /// Reads the TLS client certificate.
    public var credentialSource: CredentialSource { .clientCertificate }

    /// The attributes tried in order.
    public let identityAttributes: [MTLSIdentityAttribute]
    /// Which SAN of each kind is read.
    public let sanIndices: MTLSSANIndices
    private let uriPattern: URIPattern?
    private let now: @Sendable () -> Date

    /// Creates the authenticator.
    ///
    /// - Parameters:
    ///   - identityAttributes: names from Zot's config (`CommonName`, `Subject`, `Email`, `URI`, `DNSName`,
    ///     case-insensitive); empty means `["CommonName"]`.
    ///   - uriSanPattern: a regular expression a SAN URI must contain a match of (unanchored: use `^…$` to
    ///     anchor). When it has a capture group, the first group's text is the identity; otherwise the whole URI.
    ///   - sanIndices: which URI, DNS and email SAN is read (Zot's `uriSanIndex`, `dnsSanIndex`, `emailSanIndex`).
    ///   - now: the wall clock (injectable for tests).
    public init(identityAttributes: [String] = [], uriSanPattern: String? = nil, sanIndices: MTLSSANIndices = MTLSSANIndices(),
                now: @escaping @Sendable () -> Date = { Date() }) throws(MTLSConfigurationError) {
        var attributes: [MTLSIdentityAttribute] = []
        for name in identityAttributes {
            guard let attribute = MTLSIdentityAttribute(configName: name) else { throw .unknownAttribute(name) }
            attributes.append(attribute)
        }
        let effective: [MTLSIdentityAttribute] = attributes.isEmpty ? [.commonName] : attributes
        let indexKeys: [(String, Int, MTLSIdentityAttribute)] = [("uriSanIndex", sanIndices.uri, .uri),
                                                                ("dnsSanIndex", sanIndices.dns, .dnsName),
                                                                ("emailSanIndex", sanIndices.email, .email)]
        for (key, index, attribute) in indexKeys {
            if index < 0 { throw .negativeSANIndex(key) }
            if index > 0 && !effective.contains(attribute) { throw .unusedSANIndex(key) }
        }
        self.identityAttributes = effective
        self.sanIndices = sanIndices
        self.uriPattern = try uriSanPattern.map { pattern throws(MTLSConfigurationError) in try URIPattern(pattern) }
        self.now = now
    }

    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity? {
        guard let der = request.peerCertificateDER else { return nil }
        return Identity(username: try identity(fromDER: der), method: .mtls)
    }

    /// The identity named by the certificate `der`, or the reason there is none.
    public func identity(fromDER der: [UInt8]) throws(AuthenticationFailure) -> String {
        let certificate: Certificate
        do { certificate = try Certificate(derEncoded: der) } catch {
            throw .invalidClientCertificate("client certificate cannot be parsed: \(error)")
        }
        let current = now()
        guard certificate.notValidBefore <= current else {
            throw .invalidClientCertificate("client certificate is not valid before \(certificate.notValidBefore)")
        }
        guard current <= certificate.notValidAfter else {
            throw .invalidClientCertificate("client certificate expired at \(certificate.notValidAfter)")
        }
        if case .isCertificateAuthority = try? certificate.extensions.basicConstraints {
            throw .invalidClientCertificate("client certificate '\(certificate.subject)' is a CA certificate (basicConstraints CA:TRUE)")
        }
        let alternativeNames: [GeneralName]
        do { alternativeNames = try certificate.extensions.subjectAlternativeNames.map(Array.init) ?? [] } catch {
            throw .invalidClientCertificate("client certificate has an unreadable subjectAltName: \(error)")
        }
        for attribute in identityAttributes {
            if let name = value(of: attribute, in: certificate, alternativeNames: alternativeNames), !name.isEmpty {
                return name
            }
        }
        let tried = identityAttributes.map(\.rawValue).joined(separator: ", ")
        throw .invalidClientCertificate("client certificate '\(certificate.subject)' has none of: \(tried)")
    }

    private func value(of attribute: MTLSIdentityAttribute, in certificate: Certificate,
                       alternativeNames: [GeneralName]) -> String? {
        switch attribute {
        case .commonName:
            return firstSubjectAttribute(of: certificate) { $0.type == .RDNAttributeType.commonName }
        case .subject:
            let subject = certificate.subject.description
            return subject.isEmpty ? nil : subject
        case .email:
            let emails = alternativeNames.compactMap { name -> String? in
                if case .rfc822Name(let email) = name { return email } else { return nil }
            }
            // Without any email SAN, the subject's emailAddress stands in for the first one.
            if emails.isEmpty && sanIndices.email == 0 {
                return firstSubjectAttribute(of: certificate) { $0.type == .RDNAttributeType.emailAddress }
            }
            return element(sanIndices.email, of: emails)
        case .uri:
            let uris = alternativeNames.compactMap { name -> String? in
                if case .uniformResourceIdentifier(let uri) = name { return uri } else { return nil }
            }
            guard let uri = element(sanIndices.uri, of: uris) else { return nil }
            guard let uriPattern else { return uri }
            return uriPattern.identity(in: uri)
        case .dnsName:
            let names = alternativeNames.compactMap { name -> String? in
                if case .dnsName(let dnsName) = name { return dnsName } else { return nil }
            }
            return element(sanIndices.dns, of: names)
        }
    }

    private func element(_ index: Int, of values: [String]) -> String? {
        values.indices.contains(index) ? values[index] : nil
    }

    private func firstSubjectAttribute(
        of certificate: Certificate,
        where isWanted: (RelativeDistinguishedName.Attribute) -> Bool
    ) -> String? {
        for relativeName in certificate.subject {
            for attribute in relativeName where isWanted(attribute) {
                if let text = String(attribute.value) { return text }
            }
        }
        return nil
    }
}

/// A validated `uriSanPattern`.
///
/// `Regex<AnyRegexOutput>` is not `Sendable`, so the pattern is kept as text (validated once here) and compiled
/// when used; only certificates with URI SANs and a configured pattern pay for it.
private struct URIPattern: Sendable {
    private let pattern: String

    init(_ pattern: String) throws(MTLSConfigurationError) {
        do { _ = try Regex(pattern) } catch {
            throw .invalidURIPattern(pattern: pattern, reason: "\(error)")
        }
        self.pattern = pattern
    }

    /// The first capture group of the first match (or the whole URI when the pattern has no group).
    func identity(in uri: String) -> String? {
        guard let regex = try? Regex(pattern), let match = try? regex.firstMatch(in: uri) else { return nil }
        if match.output.count > 1 {
            return match.output[1].substring.map(String.init)
        }
        return uri
    }
}
