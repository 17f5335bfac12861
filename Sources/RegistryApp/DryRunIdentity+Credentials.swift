import Foundation
import RegistryAuth
import RegistryAuthCore
import RegistryConfig
import RegistryCore
import RegistryOIDC
import SwiftASN1
import X509

/// Identities from a client certificate (`--cert`) and from token claims (`--oidc-claims`).
extension DryRunIdentity {
    /// The identity the server's `MTLSAuthenticator` would take from the first certificate in `contents`
    /// (PEM, or DER when the file holds no PEM block), with its validity period checked against `now` as a warning.
    static func fromCertificate(_ contents: Data, path: String, config: ZotConfig, now: Date) throws(DryRunIdentityError) -> DryRunIdentity {
        let der = try firstCertificateDER(contents, path: path)
        let certificate: Certificate
        do { certificate = try Certificate(derEncoded: der) } catch {
            throw DryRunIdentityError("--cert \(path): the certificate cannot be parsed (\(error))")
        }
        let mtls = config.http.auth?.mtls
        let attributes = mtls?.identityAttributes ?? []
        // The validity period is reported as a warning below; the name is read at a moment inside it.
        let insidePeriod = certificate.notValidBefore
        let username: String
        do {
            username = try MTLSAuthenticator(identityAttributes: attributes, uriSanPattern: mtls?.uriSanPattern,
                                             sanIndices: mtls?.sanIndices ?? MTLSSANIndices(),
                                             now: { insidePeriod }).identity(fromDER: der)
        } catch let error as MTLSConfigurationError {
            throw DryRunIdentityError("--cert: http.auth.mtls is invalid (\(error))")
        } catch let error as AuthenticationFailure {
            throw DryRunIdentityError("--cert \(path): the server would find no user name (\(error.detail))")
        } catch {
            throw DryRunIdentityError("--cert \(path): \(error)")
        }
        let attribute = deciding(attributes, uriSanPattern: mtls?.uriSanPattern, sanIndices: mtls?.sanIndices ?? MTLSSANIndices(), der: der, at: insidePeriod, username: username)
        let facts = DryRunCertificateFacts(
            subject: certificate.subject.description,
            notValidBefore: certificate.notValidBefore.formatted(.iso8601),
            notValidAfter: certificate.notValidAfter.formatted(.iso8601),
            expired: now > certificate.notValidAfter,
            notYetValid: now < certificate.notValidBefore,
            attribute: attribute)
        var warnings: [String] = []
        if facts.expired { warnings.append("the server would refuse this certificate: expired at \(facts.notValidAfter)") }
        if facts.notYetValid { warnings.append("the server would refuse this certificate: not valid before \(facts.notValidBefore)") }
        var notes = ["the chain to the client CA (http.tls.cacert) is not checked in a dry-run"]
        if config.http.tls?.cacert == nil {
            notes.append("http.tls.cacert is not set: the server would not ask for client certificates")
        }
        let file = URL(fileURLWithPath: path).lastPathComponent
        return DryRunIdentity(identity: Identity(username: username, method: .mtls),
                              source: "certificate \(file), attribute \(attribute) (http.auth.mtls)",
                              notes: notes, warnings: warnings, certificate: facts)
    }

    private static func firstCertificateDER(_ contents: Data, path: String) throws(DryRunIdentityError) -> [UInt8] {
        let text = String(decoding: contents, as: UTF8.self)
        if text.contains("-----BEGIN") {
            let documents: [PEMDocument]
            do { documents = try PEMDocument.parseMultiple(pemString: text) } catch {
                throw DryRunIdentityError("--cert \(path): the PEM cannot be read (\(error))")
            }
            guard let first = documents.first(where: { $0.discriminator == "CERTIFICATE" }) else {
                throw DryRunIdentityError("--cert \(path): no certificate in file (no PEM \"CERTIFICATE\" block)")
            }
            return first.derBytes
        }
        guard !contents.isEmpty, (try? Certificate(derEncoded: Array(contents))) != nil else {
            throw DryRunIdentityError("--cert \(path): no certificate in file (expected PEM \"CERTIFICATE\" or DER)")
        }
        return Array(contents)
    }

    /// The configured attribute that yields `username` first: the authenticator is asked with each attribute alone,
    /// in the configured order, so the answer is the server's own reading.
    private static func deciding(_ attributes: [String], uriSanPattern: String?, sanIndices: MTLSSANIndices, der: [UInt8], at moment: Date,
                                 username: String) -> String {
        let names = attributes.isEmpty ? [MTLSIdentityAttribute.commonName.rawValue] : attributes
        for name in names {
            let single = try? MTLSAuthenticator(identityAttributes: [name], uriSanPattern: uriSanPattern,
                                                sanIndices: onlyFor(name, sanIndices), now: { moment })
            if let single, (try? single.identity(fromDER: der)) == username {
                return single.identityAttributes.first?.rawValue ?? name
            }
        }
        return names.joined(separator: ", ")
    }

    /// The indices that apply when `attribute` is asked alone (the others would be configuration errors).
    private static func onlyFor(_ attribute: String, _ indices: MTLSSANIndices) -> MTLSSANIndices {
        switch MTLSIdentityAttribute(configName: attribute) {
        case .uri?: MTLSSANIndices(uri: indices.uri)
        case .dnsName?: MTLSSANIndices(dns: indices.dns)
        case .email?: MTLSSANIndices(email: indices.email)
        default: MTLSSANIndices()
        }
    }

    /// `--oidc-claims` text: inline JSON, or the contents of the file after `@`.
    static func claimsText(_ option: String, _ readFile: (String) throws -> Data) throws(DryRunIdentityError) -> Data {
        guard option.hasPrefix("@") else { return Data(option.utf8) }
        let path = String(option.dropFirst())
        guard !path.isEmpty else { throw DryRunIdentityError("--oidc-claims: '@' must be followed by a file path") }
        return try read(path, option: "--oidc-claims", readFile)
    }

    /// The identity the server would take from verified `claims`: the browser-login mapping (`OIDCUser.from`,
    /// method `oidc-session`) or a bearer issuer's (`BearerJWTAuthenticator.identity`, method `bearer`).
    static func fromClaims(_ json: Data, source: String?, config: ZotConfig) throws(DryRunIdentityError) -> DryRunIdentity {
        guard let object = try? JSONDecoder().decode(JSONValue.self, from: json) else {
            throw DryRunIdentityError("--oidc-claims: not valid JSON")
        }
        guard let claims = object.objectValue else { throw DryRunIdentityError("--oidc-claims: not a JSON object") }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else {
            throw DryRunIdentityError("--oidc-claims: no \"sub\" claim (a non-empty string), which every verified token has")
        }
        let issuer = claims["iss"]?.stringValue ?? ""
        let verified = VerifiedClaims(subject: subject, issuer: issuer, claims: claims)
        let providers = config.http.auth?.openid?.providers ?? [:]
        let bearerIssuers = config.http.auth?.bearer?.oidc ?? []
        switch source ?? (providers["oidc"] == nil && !bearerIssuers.isEmpty ? "bearer" : "login") {
        case "login":
            return try loginIdentity(verified, providers: providers)
        case "bearer":
            return try bearerIdentity(verified, issuers: bearerIssuers)
        case let other:
            throw DryRunIdentityError("--oidc-source: \"\(other)\" is not login or bearer")
        }
    }

    private static func loginIdentity(_ claims: VerifiedClaims, providers: [String: OpenIDProviderConfig]) throws(DryRunIdentityError) -> DryRunIdentity {
        let name = providers["oidc"] != nil ? "oidc" : providers.keys.sorted().first
        let provider = name.flatMap { providers[$0] }
        var notes: [String] = []
        if name == nil { notes.append("no http.auth.openid provider is configured: the default claim mapping is used") }
        if let configured = provider?.issuer, !claims.issuer.isEmpty, !OIDCIssuer.matches(configured, claims.issuer) {
            notes.append("the claims' iss \"\(claims.issuer)\" is not the provider's issuer \"\(configured)\": the server would refuse the token")
        }
        let user: OIDCUser
        do { user = try OIDCUser.from(claims, claims: ClaimNames(provider?.claimMapping)) } catch {
            throw DryRunIdentityError("--oidc-claims: the server would find no user name (\(error))")
        }
        let mapping = name.map { "http.auth.openid.providers.\($0)" } ?? "default mapping"
        return DryRunIdentity(identity: Identity(username: user.username, groups: user.groups, method: .oidcSession),
                              source: "OIDC login claims, \(mappingText(provider?.claimMapping, defaultUser: "email, else sub")) (\(mapping))",
                              notes: notes)
    }

    private static func bearerIdentity(_ claims: VerifiedClaims, issuers: [BearerOIDCConfig]) throws(DryRunIdentityError) -> DryRunIdentity {
        guard !issuers.isEmpty else {
            throw DryRunIdentityError("--oidc-source bearer: the config has no http.auth.bearer.oidc issuer")
        }
        var notes: [String] = []
        let index: Int
        if let matching = issuers.firstIndex(where: { OIDCIssuer.matches($0.issuer, claims.issuer) }) {
            index = matching
        } else {
            index = 0
            notes.append("no http.auth.bearer.oidc issuer is the claims' iss \"\(claims.issuer)\": the server would refuse the token; "
                + "using the first issuer's mapping")
        }
        let issuer = issuers[index]
        let identity: Identity
        let settings: BearerIssuerSettings
        do { settings = try BearerIssuerSettings(issuer) } catch {
            throw DryRunIdentityError("http.auth.bearer.oidc[\(index)].\(error)")
        }
        do { identity = try BearerJWTAuthenticator.identity(from: claims, issuer: settings) } catch {
            throw DryRunIdentityError("--oidc-claims: the server would refuse the token or find no user name (\(error.detail))")
        }
        return DryRunIdentity(identity: identity,
                              source: "bearer token claims, \(mappingText(issuer.claimMapping, defaultUser: "sub")) "
                                  + "(http.auth.bearer.oidc[\(index)], issuer \(issuer.issuer))",
                              notes: notes)
    }

    private static func mappingText(_ mapping: ClaimMapping?, defaultUser: String) -> String {
        "user from \(mapping?.username ?? defaultUser), groups from \(mapping?.groups ?? "groups")"
    }
}
