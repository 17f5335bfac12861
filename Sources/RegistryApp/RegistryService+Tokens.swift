import Crypto
import Foundation
import RegistryAuthCore
import RegistryConfig
import RegistryHTTP
import RegistryMetadata
import RegistryOIDC

extension RegistryService {
    /// Registry tokens and the challenge that asks for them: with `http.auth.bearer.cert` (Zot's token-server mode)
    /// tokens signed by that key are accepted and 401s challenge `Bearer realm=<bearer.realm>,service=<bearer.service>`.
    /// With `http.auth.tokenService` (the built-in token service) tokens are signed and verified with our own key and
    /// 401s challenge `Bearer realm="<externalUrl>/auth/token",service="<http.realm>"`.
    struct TokenSetup {
        /// Verifies registry tokens (`nil` when no token source is configured).
        var authenticator: RegistryTokenAuthenticator?
        /// The challenge of every 401.
        var challenge: AuthenticationChallenge
        /// The built-in token service, when enabled.
        var service: TokenServiceOptions?
    }

    /// The token setup of `config`; `createKey: false` (for `verify`) checks an existing signing key but writes nothing.
    static func tokenSetup(_ config: ZotConfig, createKey: Bool = true, store: MetadataStore? = nil) throws -> TokenSetup {
        var setup = TokenSetup(authenticator: nil, challenge: AuthenticationChallenge(realm: config.http.realm))
        if let tokenService = config.http.auth?.tokenService, tokenService.enable {
            let path = tokenService.keyFile ?? config.storage.rootDirectory + "/token-service/signing-key.pem"
            if !createKey && !FileManager.default.fileExists(atPath: path) { return setup }
            let key: P256.Signing.PrivateKey
            do {
                key = createKey ? try TokenSigningKeyFile.loadOrCreate(path: path) : try TokenSigningKeyFile.load(path: path)
            } catch {
                throw StartupError(description: "http.auth.tokenService.keyFile: \(error)")
            }
            let external = externalURL(config)
            let signer = RegistryTokenSigner(privateKey: key, issuer: external, service: config.http.realm)
            let realm = external + TokenServiceOptions.tokenPath
            var service = TokenServiceOptions(signer: signer, lifetimeSeconds: tokenService.lifetimeSeconds, realm: realm)
            service.refreshTokens = store.map { RefreshTokenStore(store: $0) }
            service.refreshLifetimeSeconds = tokenService.refreshLifetimeSeconds
            setup.service = service
            setup.authenticator = RegistryTokenAuthenticator(verifier: signer.verifier())
            setup.challenge = AuthenticationChallenge(tokenRealm: realm, service: config.http.realm, basicRealm: config.http.realm)
            return setup
        }
        guard let bearer = config.http.auth?.bearer, let cert = bearer.cert else { return setup }
        guard let realm = bearer.realm, let service = bearer.service else {
            throw StartupError(description: "http.auth.bearer: realm and service are required with cert")
        }
        setup.authenticator = RegistryTokenAuthenticator(verifier: RegistryTokenVerifier(
            key: try tokenServerKey(cert), service: service, issuer: bearer.issuer))
        setup.challenge = AuthenticationChallenge(tokenRealm: realm, service: service, basicRealm: config.http.realm)
        return setup
    }

    /// The token server's verification key from `http.auth.bearer.cert` (a PEM certificate or public key).
    static func tokenServerKey(_ path: String) throws -> RegistryTokenKey {
        let pem: String
        do {
            pem = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StartupError(description: "http.auth.bearer.cert: cannot read \"\(path)\": \(error.localizedDescription)")
        }
        do {
            return try RegistryTokenKey(pem: pem)
        } catch {
            throw StartupError(description: "http.auth.bearer.cert: \"\(path)\": \(error)")
        }
    }
}
