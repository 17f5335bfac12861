import Foundation
import RegistryConfig
import RegistryCore
import RegistryPolicy

/// The identity options of `zot-authz test`, as given on the command line (not yet checked).
public struct DryRunIdentityOptions: Sendable, Hashable {
    /// `--user NAME`: a user as htpasswd or LDAP would name it (or the owner of an API key with `--scope`).
    public var user: String?
    /// `--group NAME` (repeatable): the user's groups.
    public var groups: [String]
    /// `--anonymous`: no credentials.
    public var anonymous: Bool
    /// `--cert FILE`: a PEM (or DER) client certificate.
    public var certificatePath: String?
    /// `--oidc-claims JSON`: a JSON object of ID-token / JWT claims, inline or `@path/to/file.json`.
    public var oidcClaims: String?
    /// `--oidc-source login|bearer`: which claim mapping applies to `oidcClaims`.
    public var oidcSource: String?
    /// `--scope GLOB:action,action` (repeatable): test as an API key restricted to these scopes.
    public var scopes: [String]
    /// `--token JWT`: a Docker registry token (token-server mode or the token service), inline or `@FILE`.
    public var token: String?

    /// Creates options; everything defaults to "not given".
    public init(user: String? = nil, groups: [String] = [], anonymous: Bool = false, certificatePath: String? = nil,
                oidcClaims: String? = nil, oidcSource: String? = nil, scopes: [String] = [], token: String? = nil) {
        self.token = token
        self.user = user
        self.groups = groups
        self.anonymous = anonymous
        self.certificatePath = certificatePath
        self.oidcClaims = oidcClaims
        self.oidcSource = oidcSource
        self.scopes = scopes
    }
}

/// A dry-run option that cannot be turned into an identity; the description names the option and the problem.
public struct DryRunIdentityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message, starting with the option it is about (e.g. `--oidc-claims: not a JSON object`).
    public let description: String

    /// Creates an error with `description`.
    public init(_ description: String) {
        self.description = description
    }
}

/// What the client certificate of a `--cert` dry-run says, for the text and JSON output.
public struct DryRunCertificateFacts: Sendable, Hashable, Codable {
    /// The subject distinguished name, RFC 4514 style.
    public var subject: String
    /// Start of the validity period (ISO 8601).
    public var notValidBefore: String
    /// End of the validity period (ISO 8601).
    public var notValidAfter: String
    /// Whether the validity period ended before the dry-run's clock.
    public var expired: Bool
    /// Whether the validity period starts after the dry-run's clock.
    public var notYetValid: Bool
    /// The `http.auth.mtls.identityAttributes` entry that gave the user name (`CommonName`, `Email`, …).
    public var attribute: String
}

/// An identity for a policy dry-run, derived the way the server would derive it, with where it came from.
public struct DryRunIdentity: Sendable, Hashable {
    /// The identity the policy is asked about.
    public let identity: Identity
    /// Where the identity came from, for people (e.g. `certificate alice.crt, attribute CommonName`).
    public let source: String
    /// Things that do not change the decision but that a reader should know (e.g. how the server differs).
    public let notes: [String]
    /// Reasons the server would refuse the credential before any policy check (e.g. an expired certificate).
    public let warnings: [String]
    /// The certificate facts, for `--cert`.
    public let certificate: DryRunCertificateFacts?

    /// Creates a resolved identity.
    public init(identity: Identity, source: String, notes: [String] = [], warnings: [String] = [],
                certificate: DryRunCertificateFacts? = nil) {
        self.identity = identity
        self.source = source
        self.notes = notes
        self.warnings = warnings
        self.certificate = certificate
    }

    /// Turns command-line `options` into an identity, using `config`'s `http.auth` settings as the server would.
    ///
    /// Exactly one of `--user`, `--anonymous`, `--cert`, `--oidc-claims` must be given. `--group` goes with
    /// `--user`; `--oidc-source` with `--oidc-claims`; `--scope` with `--user` (the API key's owner).
    ///
    /// - Parameters:
    ///   - now: the clock the certificate's validity period is checked against.
    ///   - readFile: reads `--cert` and `--oidc-claims @FILE` (injectable for tests).
    public static func resolve(
        _ options: DryRunIdentityOptions,
        config: ZotConfig,
        now: Date = Date(),
        readFile: (String) throws -> Data = { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    ) throws(DryRunIdentityError) -> DryRunIdentity {
        try checkCombination(options)
        if let path = options.certificatePath {
            let contents = try read(path, option: "--cert", readFile)
            return try fromCertificate(contents, path: path, config: config, now: now)
        }
        if let token = options.token {
            let text = token.hasPrefix("@") ? String(decoding: try read(String(token.dropFirst()), option: "--token", readFile), as: UTF8.self) : token
            return try fromRegistryToken(text.trimmingCharacters(in: .whitespacesAndNewlines), config: config, now: now)
        }
        if let claims = options.oidcClaims {
            return try fromClaims(try claimsText(claims, readFile), source: options.oidcSource, config: config)
        }
        if options.anonymous {
            return DryRunIdentity(identity: .anonymous, source: "--anonymous (no credentials)")
        }
        guard let user = options.user else {
            throw DryRunIdentityError("give --user NAME, --anonymous, --cert FILE, --oidc-claims JSON or --token JWT")
        }
        guard !user.isEmpty else { throw DryRunIdentityError("--user must not be empty") }
        if options.scopes.isEmpty {
            return DryRunIdentity(identity: Identity(username: user, groups: options.groups, method: .htpasswd),
                                  source: options.groups.isEmpty ? "--user" : "--user and --group")
        }
        let scopes = try options.scopes.map { scope throws(DryRunIdentityError) in try parseScope(scope) }
        let identity = Identity(username: user, groups: options.groups, method: .apiKey, scopes: scopes)
        return DryRunIdentity(identity: identity, source: "an API key of --user \"\(user)\" limited by --scope",
                              notes: apiKeyNotes(config))
    }

    private static func checkCombination(_ options: DryRunIdentityOptions) throws(DryRunIdentityError) {
        var given: [String] = []
        if options.user != nil { given.append("--user") }
        if options.anonymous { given.append("--anonymous") }
        if options.certificatePath != nil { given.append("--cert") }
        if options.oidcClaims != nil { given.append("--oidc-claims") }
        if options.token != nil { given.append("--token") }
        guard given.count <= 1 else {
            throw DryRunIdentityError("give only one of --user, --anonymous, --cert, --oidc-claims, --token (got \(given.joined(separator: " and ")))")
        }
        if !options.groups.isEmpty, options.user == nil {
            switch given.first {
            case "--anonymous"?: throw DryRunIdentityError("--group cannot be used with --anonymous")
            case let other?: throw DryRunIdentityError("\(other) does not take --group: the groups come from the credential")
            case nil: throw DryRunIdentityError("--group needs --user")
            }
        }
        if options.oidcSource != nil, options.oidcClaims == nil {
            throw DryRunIdentityError("--oidc-source goes with --oidc-claims")
        }
        if !options.scopes.isEmpty, options.user == nil {
            throw DryRunIdentityError("--scope tests an API key: give its owner with --user (not \(given.first ?? "nothing"))")
        }
    }

    static func read(_ path: String, option: String, _ readFile: (String) throws -> Data) throws(DryRunIdentityError) -> Data {
        do {
            return try readFile(path)
        } catch {
            throw DryRunIdentityError("\(option) \(path): cannot read the file (\(error.localizedDescription))")
        }
    }

    /// Parses `GLOB:action,action` (split at the last `:`; repository names never contain one).
    static func parseScope(_ text: String) throws(DryRunIdentityError) -> AccessScope {
        let expected = "--scope '\(text)': expected GLOB:actions, e.g. 'team/**:read,create'"
        guard let colon = text.lastIndex(of: ":") else { throw DryRunIdentityError(expected) }
        let glob = String(text[..<colon])
        let actionList = text[text.index(after: colon)...]
        guard !glob.isEmpty, !actionList.isEmpty else { throw DryRunIdentityError(expected) }
        do {
            _ = try GlobPattern(glob)
        } catch {
            throw DryRunIdentityError("--scope '\(text)': \(error)")
        }
        var actions: Set<RegistryAction> = []
        for name in actionList.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let action = RegistryAction(rawValue: trimmed) else {
                throw DryRunIdentityError("--scope '\(text)': \"\(name)\" is not read, create, update or delete")
            }
            actions.insert(action)
        }
        return AccessScope(repositories: glob, actions: actions)
    }

    private static func apiKeyNotes(_ config: ZotConfig) -> [String] {
        config.http.auth?.apikey == true ? [] : ["http.auth.apikey is not enabled: the server would not accept API keys"]
    }
}
