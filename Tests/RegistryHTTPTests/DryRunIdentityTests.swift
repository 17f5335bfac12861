import Crypto
import Foundation
import RegistryConfig
import RegistryCore
@testable import RegistryApp
import RegistryHTTP
import RegistryPolicy
import SwiftASN1
import Testing
import X509

@Suite("Dry-run identities are derived as the server would")
struct DryRunIdentityTests {
    static let accessControl = AccessControl(repositories: [
        RepositoryRules(pattern: "team/**", policies: [
            PolicyEntry(users: ["alice", "alice@san.example"], actions: [.read, .create]),
            PolicyEntry(groups: ["dev"], actions: [.read]),
        ]),
    ])

    static func config(mtls: MTLSConfig? = nil, login: ClaimMapping? = nil, bearer: [BearerOIDCConfig] = [],
                       apikey: Bool = true) -> ZotConfig {
        var providers: [String: OpenIDProviderConfig] = [:]
        if let login { providers["oidc"] = OpenIDProviderConfig(issuer: "https://idp.example", clientid: "c", claimMapping: login) }
        let auth = AuthConfig(mtls: mtls, openid: providers.isEmpty ? nil : OpenIDConfig(providers: providers), apikey: apikey,
                              bearer: bearer.isEmpty ? nil : BearerConfig(oidc: bearer))
        return ZotConfig(http: HTTPConfig(tls: TLSConfig(cacert: "/ca.crt"), auth: auth, accessControl: accessControl),
                         storage: StorageConfig(rootDirectory: "/tmp/unused"))
    }

    /// A self-signed client certificate as PEM, valid for an hour around `validAround`.
    static func pem(commonName: String, email: String? = nil, validAround: Date = Date()) throws -> Data {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(commonName) }
        let extensions = try Certificate.Extensions {
            if let email { SubjectAlternativeNames([.rfc822Name(email)]) }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: validAround.addingTimeInterval(-3600), notValidAfter: validAround.addingTimeInterval(3600),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return Data(PEMDocument(type: "CERTIFICATE", derBytes: serializer.serializedBytes).pemString.utf8)
    }

    static func resolve(_ options: DryRunIdentityOptions, config: ZotConfig = config(),
                        files: [String: Data] = [:]) throws -> DryRunIdentity {
        try DryRunIdentity.resolve(options, config: config) { path in
            guard let data = files[path] else { throw CocoaError(.fileNoSuchFile) }
            return data
        }
    }

    static func error(_ options: DryRunIdentityOptions, config: ZotConfig = config(), files: [String: Data] = [:]) -> String? {
        do {
            _ = try resolve(options, config: config, files: files)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("A certificate names the user with the configured attribute and says which one")
    func certificateAttribute() throws {
        let files = ["alice.crt": try Self.pem(commonName: "alice", email: "alice@san.example")]
        let byEmail = try Self.resolve(DryRunIdentityOptions(certificatePath: "alice.crt"),
                                       config: Self.config(mtls: MTLSConfig(identityAttributes: ["Email", "CommonName"])), files: files)
        #expect(byEmail.identity == Identity(username: "alice@san.example", method: .mtls))
        #expect(byEmail.certificate?.attribute == "Email")
        #expect(byEmail.source.contains("attribute Email"))
        #expect(byEmail.warnings.isEmpty)
        let byDefault = try Self.resolve(DryRunIdentityOptions(certificatePath: "alice.crt"), files: files)
        #expect(byDefault.identity.username == "alice")
        #expect(byDefault.certificate?.attribute == "CommonName")
    }

    @Test("An expired certificate still names the user but carries a warning")
    func expiredCertificate() throws {
        let files = ["old.crt": try Self.pem(commonName: "alice", validAround: Date(timeIntervalSince1970: 1_600_000_000))]
        let resolved = try Self.resolve(DryRunIdentityOptions(certificatePath: "old.crt"), files: files)
        #expect(resolved.identity.username == "alice")
        #expect(resolved.certificate?.expired == true)
        #expect(resolved.warnings.contains { $0.hasPrefix("the server would refuse this certificate: expired at 2020-09-13") })
    }

    @Test("A file without a certificate, or a certificate without the attribute, is a precise error")
    func certificateErrors() throws {
        let key = Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8)
        #expect(Self.error(DryRunIdentityOptions(certificatePath: "k.pem"), files: ["k.pem": key])?
            .contains("--cert k.pem: no certificate in file") == true)
        #expect(Self.error(DryRunIdentityOptions(certificatePath: "junk"), files: ["junk": Data("hello".utf8)])?
            .contains("no certificate in file") == true)
        #expect(Self.error(DryRunIdentityOptions(certificatePath: "missing.crt"))?.hasPrefix("--cert missing.crt: cannot read") == true)
        let noEmail = ["cn.crt": try Self.pem(commonName: "alice")]
        let message = Self.error(DryRunIdentityOptions(certificatePath: "cn.crt"),
                                 config: Self.config(mtls: MTLSConfig(identityAttributes: ["Email"])), files: noEmail)
        #expect(message?.contains("the server would find no user name") == true)
    }

    @Test("Login claims use the provider's claimMapping and give an oidc-session identity")
    func loginClaims() throws {
        let claims = #"{"iss": "https://idp.example", "sub": "u-1", "preferred_username": "alice", "roles": ["dev", 7]}"#
        let resolved = try Self.resolve(DryRunIdentityOptions(oidcClaims: claims),
                                        config: Self.config(login: ClaimMapping(username: "preferred_username", groups: "roles")))
        #expect(resolved.identity == Identity(username: "alice", groups: ["dev"], method: .oidcSession))
        #expect(resolved.source.contains("http.auth.openid.providers.oidc"))
    }

    @Test("Bearer claims pick the issuer whose string equals iss, named <iss>/<sub> with groups by default, read from @file")
    func bearerClaims() throws {
        let issuers = [BearerOIDCConfig(issuer: "https://first.example", audiences: ["zot"], claimMapping: ClaimMapping(username: "email")),
                       BearerOIDCConfig(issuer: "https://ci.example", audiences: ["zot"])]
        let files = ["claims.json": Data(#"{"iss": "https://ci.example", "sub": "repo:x", "groups": "builders"}"#.utf8)]
        let resolved = try Self.resolve(DryRunIdentityOptions(oidcClaims: "@claims.json", oidcSource: "bearer"),
                                        config: Self.config(bearer: issuers), files: files)
        #expect(resolved.identity == Identity(username: "https://ci.example/repo:x", groups: ["builders"], method: .bearer))
        #expect(resolved.source.contains("bearer.oidc[1]"))
        #expect(resolved.notes.isEmpty)
        // Without --oidc-source and without a login provider, the bearer mapping is the default.
        let unknown = try Self.resolve(DryRunIdentityOptions(oidcClaims: #"{"iss": "https://else", "sub": "s", "email": "e@x"}"#),
                                       config: Self.config(bearer: issuers))
        #expect(unknown.identity.username == "e@x")
        #expect(unknown.notes.contains { $0.contains("the server would refuse the token") })
    }

    @Test("Bad claims are precise errors")
    func claimErrors() {
        #expect(Self.error(DryRunIdentityOptions(oidcClaims: "[1, 2]")) == "--oidc-claims: not a JSON object")
        #expect(Self.error(DryRunIdentityOptions(oidcClaims: "{nope")) == "--oidc-claims: not valid JSON")
        #expect(Self.error(DryRunIdentityOptions(oidcClaims: #"{"iss": "x"}"#))?.contains("no \"sub\" claim") == true)
        #expect(Self.error(DryRunIdentityOptions(oidcClaims: #"{"sub": "x"}"#, oidcSource: "bearer"))?
            .contains("no http.auth.bearer.oidc issuer") == true)
        #expect(Self.error(DryRunIdentityOptions(oidcClaims: #"{"sub": "x"}"#, oidcSource: "saml")) == "--oidc-source: \"saml\" is not login or bearer")
        #expect(Self.error(DryRunIdentityOptions(oidcClaims: #"{"sub": "x"}"#),
                           config: Self.config(login: ClaimMapping(username: "preferred_username")))?.contains("no user name") == true)
    }

    @Test("Scopes parse as GLOB:actions and make an API key identity")
    func scopes() throws {
        let resolved = try Self.resolve(DryRunIdentityOptions(user: "alice", groups: ["dev"], scopes: ["team/**:read,create", "a:b:delete"]))
        #expect(resolved.identity.method == .apiKey)
        #expect(resolved.identity.groups == ["dev"])
        #expect(resolved.identity.scopes == [AccessScope(repositories: "team/**", actions: [.read, .create]),
                                             AccessScope(repositories: "a:b", actions: [.delete])])
        #expect(Self.error(DryRunIdentityOptions(user: "a", scopes: ["team"])) == "--scope 'team': expected GLOB:actions, e.g. 'team/**:read,create'")
        #expect(Self.error(DryRunIdentityOptions(user: "a", scopes: [":read"]))?.contains("expected GLOB:actions") == true)
        #expect(Self.error(DryRunIdentityOptions(user: "a", scopes: ["team:push"])) == "--scope 'team:push': \"push\" is not read, create, update or delete")
        #expect(Self.error(DryRunIdentityOptions(user: "a", scopes: ["[:read"]))?.hasPrefix("--scope '[:read': invalid glob") == true)
    }

    @Test("Conflicting identity options are refused")
    func conflicts() {
        #expect(Self.error(DryRunIdentityOptions(anonymous: true, certificatePath: "x"))?.contains("got --anonymous and --cert") == true)
        #expect(Self.error(DryRunIdentityOptions(user: "a", oidcClaims: "{}"))?.contains("give only one of") == true)
        #expect(Self.error(DryRunIdentityOptions(groups: ["g"], certificatePath: "x")) == "--cert does not take --group: the groups come from the credential")
        #expect(Self.error(DryRunIdentityOptions(user: "a", oidcSource: "login")) == "--oidc-source goes with --oidc-claims")
        #expect(Self.error(DryRunIdentityOptions(anonymous: true, scopes: ["a:read"]))?.hasPrefix("--scope tests an API key") == true)
        #expect(Self.error(DryRunIdentityOptions()) == "give --user NAME, --anonymous, --cert FILE, --oidc-claims JSON or --token JWT")
    }

    @Test("With scopes the report's decision is the AccessPolicy's: allowed by policy, denied by scope")
    func scopedReport() throws {
        let engine = try PolicyEngine(Self.accessControl)
        let key = try Self.resolve(DryRunIdentityOptions(user: "alice", scopes: ["team/app:read"]))
        let report = try DryRunIdentityReport(engine: engine, access: AccessPolicy(engine: engine, authentication: AuthenticationSettings(methods: ["htpasswd", "apikey"])), resolved: key, repository: "team/app", action: .create)
        #expect(report.policy.explanation.decision.allowed)
        #expect(!report.allowed)
        #expect(report.text.hasPrefix("DENY\n  identity: user \"alice\", method apikey"))
        #expect(report.text.contains("  decided:  credential scopes team/app[read] do not cover create on team/app"))
        #expect(report.text.contains("  policy:   allow by repositories.\"team/**\".policies[0]"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(json["decision"] as? String == "deny")
        #expect((json["scope"] as? [String: Any])?["policyDecision"] as? String == "allow")
        #expect((json["identity"] as? [String: Any])?["method"] as? String == "apikey")
        #expect(json["rule"] != nil)
    }

    @Test("Without scopes the report keeps the policy's decision and adds the identity")
    func plainReport() throws {
        let engine = try PolicyEngine(Self.accessControl)
        let user = try Self.resolve(DryRunIdentityOptions(user: "bob", groups: ["dev"]))
        let report = try DryRunIdentityReport(engine: engine, access: AccessPolicy(engine: engine, authentication: AuthenticationSettings(methods: ["htpasswd", "apikey"])), resolved: user, repository: "team/app", action: .read)
        #expect(report.allowed)
        #expect(report.scopeVerdict == nil)
        #expect(report.text.hasPrefix("ALLOW\n  identity: user \"bob\", groups [dev], method htpasswd — from --user and --group"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(json["scope"] == nil)
        #expect(json["warnings"] as? [String] == [])
    }
}
