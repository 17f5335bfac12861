import Logging
import RegistryAuth
import RegistryAuthCore
import RegistryConfig

extension RegistryService {
    /// The authenticator chain, declared here and only here, in the order it is consulted
    /// (`ZotConfig.authenticationMethods` lists the same order):
    ///
    /// 1. `Authorization` header: htpasswd → LDAP → API key → registry token (`bearer.cert`) → bearer JWT
    ///    (`bearer.oidc`) — Zot's Basic order, then tokens. A registry token is claimed only when its `aud` is our
    ///    service, so OIDC JWTs pass on to the bearer JWT authenticator.
    /// 2. Without an `Authorization` header: the TLS client certificate (mTLS) → the browser session cookie.
    ///
    /// ``AuthenticatorChain`` consults group 1 only when the header is present and group 2 only when it is not:
    /// presented credentials that are wrong always fail, and an API key's scopes always apply.
    static func authenticators(_ config: ZotConfig, passwordSources: [any Authenticator & AccountDirectory], accounts: AccountSetup,
                               tokens: TokenSetup, logger: Logger) throws -> [any Authenticator] {
        var chain: [any Authenticator] = passwordSources
        if let apiKeys = accounts.apiKeyAuthenticator { chain.append(apiKeys) }
        if let registryTokens = tokens.authenticator { chain.append(registryTokens) }
        if let bearer = accounts.bearerAuthenticator { chain.append(bearer) }
        if config.http.tls?.cacert != nil {
            let mtls = config.http.auth?.mtls
            do {
                chain.append(try MTLSAuthenticator(identityAttributes: mtls?.identityAttributes ?? [], uriSanPattern: mtls?.uriSanPattern,
                                                   sanIndices: mtls?.sanIndices ?? MTLSSANIndices()))
            } catch {
                throw StartupError(description: "http.auth.mtls: \(error)")
            }
        }
        if let session = accounts.sessionAuthenticator { chain.append(session) }
        return chain
    }

    /// htpasswd then LDAP: the password sources, which are also the account directories API keys are checked
    /// against (a key stops working when its owner is gone).
    static func passwordAuthenticators(_ config: ZotConfig, logger: Logger) throws -> [any Authenticator & AccountDirectory] {
        var sources: [any Authenticator & AccountDirectory] = []
        if let htpasswd = config.http.auth?.htpasswd {
            do {
                sources.append(try HtpasswdAuthenticator(path: htpasswd.path, logger: logger))
            } catch {
                throw StartupError(description: "http.auth.htpasswd.path: \(error)")
            }
        }
        if let ldap = config.http.auth?.ldap {
            do throws(LDAPSetupError) {
                // Switchable: a config reload with new `http.auth.ldap` settings swaps in a new directory client.
                sources.append(SwitchableAuthenticator(try LDAPAuthenticator(config: LDAPSettings(ldap), logger: logger)))
            } catch {
                throw StartupError(description: "\(error.configPath): \(error)")
            }
        }
        return sources
    }
}
