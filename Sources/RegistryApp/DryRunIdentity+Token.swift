import Foundation
import RegistryConfig
import RegistryCore
import RegistryOIDC

extension DryRunIdentity {
    /// `--token JWT`: the identity a registry token stands for (`sub`, its `access` as scopes; groups only from the
    /// built-in token service's own tokens). The token is verified with the config's key — `bearer.cert` or the
    /// token service's existing key file — when there is one; a token the server would refuse is still explained,
    /// with the reason as a warning.
    static func fromRegistryToken(_ token: String, config: ZotConfig, now: Date) throws(DryRunIdentityError) -> DryRunIdentity {
        var warnings: [String] = []
        var notes: [String] = []
        let ownTokens = config.http.auth?.tokenService?.enable == true
        var verifier: RegistryTokenVerifier?
        do {
            verifier = try RegistryService.tokenSetup(config, createKey: false).authenticator?.verifier
        } catch {
            warnings.append("the config's token key cannot be used (\(error)): the signature is not checked")
        }
        let claims: RegistryTokenVerifier.Claims
        do throws(OIDCError) {
            claims = try RegistryTokenVerifier.unverifiedClaims(token, readsGroups: ownTokens)
        } catch {
            throw DryRunIdentityError("--token: not a registry token (\(error))")
        }
        if let verifier {
            let checking = RegistryTokenVerifier(key: verifier.key, service: verifier.service, issuer: verifier.issuer,
                                                 leeway: verifier.leeway, readsGroups: verifier.readsGroups, now: { now })
            do throws(OIDCError) {
                _ = try checking.verify(token)
                notes.append("verified with the config's key (service \(verifier.service))")
            } catch {
                warnings.append("the server would refuse this token (\(error)); explaining what it claims")
            }
        } else if warnings.isEmpty {
            warnings.append("the config accepts no registry tokens (no http.auth.bearer.cert, no tokenService key yet): the signature is not checked")
        }
        let access = claims.access.map(\.description).joined(separator: " ")
        notes.append("token access: " + (access.isEmpty ? "(none)" : access) + "; a request needs the policy for the subject ∩ the token's access")
        return DryRunIdentity(identity: RegistryTokenAuthenticator.identity(claims),
                              source: "--token (registry token, sub \(claims.subject.map { "\"\($0)\"" } ?? "empty: anonymous"))",
                              notes: notes, warnings: warnings)
    }
}
