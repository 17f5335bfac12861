import Foundation
import Logging
import RegistryAuthCore
import RegistryHTTP
import RegistryConfig
import RegistryCore
import RegistryMetadata
import RegistryOIDC
import RegistryOIDCHTTP
import RegistryPolicy
import Synchronization

extension RegistryService {
    /// The authenticators and account services that come from `http.auth.apikey`, `openid` and `bearer`.
    struct AccountSetup {
        var services: AccountServices?
        /// API keys as Basic passwords (`http.auth.apikey`).
        var apiKeyAuthenticator: (any Authenticator)?
        /// Bearer JWTs from `http.auth.bearer.oidc`.
        var bearerAuthenticator: (any Authenticator)?
        /// The browser session cookie (OIDC login).
        var sessionAuthenticator: (any Authenticator)?
        /// The metadata database, when accounts need one (readiness checks it).
        var store: MetadataStore?
    }

    /// Where the embedded metadata database lives under the storage root.
    static func metadataPath(_ config: ZotConfig) -> String {
        config.storage.rootDirectory + "/metadata/zot-authz.db"
    }

    /// The URL browsers and providers use to reach us: `http.externalUrl`, else the listening address.
    static func externalURL(_ config: ZotConfig) -> String {
        if let external = config.http.externalUrl, !external.isEmpty {
            return external.hasSuffix("/") ? String(external.dropLast()) : external
        }
        let scheme = config.http.tls?.cert != nil ? "https" : "http"
        return "\(scheme)://\(config.http.address):\(config.http.port)"
    }

    /// The metadata database at ``metadataPath(_:)``: API keys, browser sessions, and every store's repository index
    /// (and a filesystem store's dedupe index).
    static func metadataStore(_ config: ZotConfig) throws -> MetadataStore {
        do {
            return try MetadataStore(path: metadataPath(config))
        } catch {
            throw StartupError(description: "storage.rootDirectory: cannot open the metadata database \"\(metadataPath(config))\": \(error)")
        }
    }

    static func accountSetup(_ config: ZotConfig, policies: Reloadable<AccessPolicy>, store: MetadataStore, directories: [any AccountDirectory] = [],
                             logger: Logger) throws -> AccountSetup {
        var setup = AccountSetup()
        guard let auth = config.http.auth else { return setup }
        let wantsOIDC = !(auth.openid?.providers.isEmpty ?? true)
        // The web console signs people in with OIDC or with their htpasswd/LDAP password: both open browser sessions.
        let wantsSessions = wantsOIDC || consoleEnabled(config)
        if let bearer = auth.bearer, !bearer.oidc.isEmpty {
            setup.bearerAuthenticator = try bearerAuthenticator(bearer.oidc, logger: logger)
        }
        // The token service keeps its refresh tokens (hashed) in the same database.
        let wantsRefreshTokens = auth.tokenService?.enable == true
        guard auth.apikey || wantsSessions || wantsRefreshTokens else { return setup }

        setup.store = store
        guard auth.apikey || wantsSessions else { return setup }
        var services = AccountServices()
        if auth.apikey {
            let keys = APIKeyStore(store: store, maximumLifetime: auth.apikeyMaxLifetimeSeconds)
            services.apiKeys = keys
            let ownerCheck = APIKeyOwnerCheck(directories: directories, oidcLoginConfigured: wantsOIDC)
            setup.apiKeyAuthenticator = APIKeyAuthenticator(keys: keys, ownerCheck: ownerCheck)
        }
        if wantsSessions {
            var pepper: [UInt8]?
            if let keysFile = auth.sessionKeysFile {
                do {
                    pepper = try SessionKeysFile.load(path: keysFile)
                } catch {
                    throw StartupError(description: "http.auth.sessionKeysFile: \(error)")
                }
            }
            let sessions = SessionStore(store: store, pepper: pepper)
            services.sessions = sessions
            setup.sessionAuthenticator = SessionAuthenticator(sessions: sessions)
            if wantsOIDC, let openid = auth.openid {
                services.providers = try relyingParties(openid, externalURL: externalURL(config), logger: logger)
                services.callbackAllowOrigins = openid.callbackAllowOrigins
            }
        }
        if config.http.externalUrl?.isEmpty == false { services.externalOrigin = externalURL(config) }
        services.secureCookies = config.http.tls?.cert != nil || externalURL(config).lowercased().hasPrefix("https://")
        services.isAdmin = { policies.value.isAdmin($0) }
        setup.services = services
        return setup
    }

    /// Whether `extensions.ui` asks for the web console (it needs authentication to sign anyone in).
    static func consoleEnabled(_ config: ZotConfig) -> Bool {
        config.extensions.ui?.enable == true && config.http.auth != nil
    }

    static func relyingParties(_ openid: OpenIDConfig, externalURL: String, logger: Logger) throws -> [String: OIDCRelyingParty] {
        var parties: [String: OIDCRelyingParty] = [:]
        for (name, provider) in openid.providers {
            var clientID = provider.clientid ?? ""
            var clientSecret = provider.clientsecret
            if let file = provider.credentialsFile {
                do {
                    let credentials = try OIDCCredentialsFile.load(path: file)
                    clientID = credentials.clientID
                    clientSecret = credentials.clientSecret
                } catch {
                    throw StartupError(description: "http.auth.openid.providers.\(name).credentialsFile: \(error)")
                }
            }
            // GitHub is plain OAuth 2 without ID tokens: nothing could verify who logged in.
            guard name != "github" else {
                logger.warning("login provider not served: GitHub is OAuth 2 without OpenID Connect ID tokens", metadata: ["provider": "\(name)"])
                continue
            }
            parties[name] = OIDCRelyingParty(provider: name, config: LoginProviderSettings(provider), clientID: clientID, clientSecret: clientSecret,
                                             redirectURI: "\(externalURL)/zot/auth/callback/\(name)", http: OIDCHTTP.shared,
                                             logger: logger)
        }
        return parties
    }

    /// Bearer JWTs from `http.auth.bearer.oidc`; an issuer with its own CA gets its own HTTP client.
    static func bearerAuthenticator(_ issuers: [BearerOIDCConfig], logger: Logger) throws -> any Authenticator {
        let settings: [BearerIssuerSettings]
        do {
            settings = try issuers.map { issuer throws(ClaimExpressionError) in try BearerIssuerSettings(issuer) }
        } catch {
            throw StartupError(description: "http.auth.bearer.oidc: \(error)")
        }
        do {
            return try BearerJWTAuthenticator(issuers: settings, logger: logger,
                                              httpClient: { (issuer: BearerIssuerSettings) throws -> any OIDCHTTPClient in
                if issuer.certificateAuthorityFile == nil && issuer.certificateAuthority == nil { return OIDCHTTP.shared }
                let client: any OIDCHTTPClient = try AsyncOIDCHTTPClient(trustingCAOf: issuer)
                return OIDCHTTP.keep(client)
            })
        } catch {
            throw StartupError(description: "http.auth.bearer.oidc: cannot use the issuer CA: \(error)")
        }
    }
}

/// The process-wide HTTP client for OIDC discovery, JWKS and token requests.
enum OIDCHTTP {
    /// Built once and kept for the life of the process.
    static let shared: any OIDCHTTPClient = makeShared()

    private static func makeShared() -> any OIDCHTTPClient {
        do {
            return try AsyncOIDCHTTPClient()
        } catch {
            return FailingOIDCHTTPClient()
        }
    }
}

extension OIDCHTTP {
    private static let kept = Mutex<[any OIDCHTTPClient]>([])

    /// Keeps a client alive for the life of the process (clients are never shut down mid-run).
    static func keep(_ client: any OIDCHTTPClient) -> any OIDCHTTPClient {
        kept.withLock { $0.append(client) }
        return client
    }
}

/// Used only if the HTTP client cannot be created: every call fails, so logins answer 503 instead of crashing.
struct FailingOIDCHTTPClient: OIDCHTTPClient {
    struct Unavailable: Error {}
    func get(_ url: String) async throws -> OIDCHTTPResponse { throw Unavailable() }
    func postForm(_ url: String, fields: [(String, String)], basicAuth: (user: String, password: String)?) async throws -> OIDCHTTPResponse {
        throw Unavailable()
    }
}
