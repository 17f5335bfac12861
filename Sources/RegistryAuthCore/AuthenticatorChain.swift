import Foundation
import RegistryCore

/// Runs authenticators in order and turns their answers into one decision.
///
/// - More than one `Authorization` header is rejected before any authenticator runs.
/// - With an `Authorization` header, only the authenticators that read it (``CredentialSource/authorizationHeader``)
///   are consulted, in order; the first that returns an identity wins, and when none does the request is rejected
///   (``AuthenticationFailure/Kind/invalidCredentials``, `failDelay` applies) — whatever a client certificate or a
///   session cookie would have said. Wrong credentials that are presented always fail, and a scoped API key is
///   never replaced by a broader identity from the connection.
/// - Without one, the client-certificate and session-cookie authenticators are consulted in order; when none
///   claims the request it is ``Identity/anonymous``.
/// - An authenticator that throws rejects the request.
///
/// Password sources return `nil` both for unknown users and for wrong passwords, so the same Basic
/// credentials can be tried by htpasswd, then LDAP, then API keys (Zot's order); the rejection happens here,
/// once, at the end.
public struct AuthenticatorChain: Sendable {
    /// The authenticators, tried in this order.
    public let authenticators: [any Authenticator]

    /// Creates a chain that tries `authenticators` in order.
    public init(_ authenticators: [any Authenticator]) {
        self.authenticators = authenticators
    }

    /// Authenticates `request`; returns the identity (possibly anonymous) or throws the rejection.
    public func authenticate(_ request: AuthenticationRequest) async throws(AuthenticationFailure) -> Identity {
        var request = request
        if request.authorizationHeaders.count == 1, Self.isEmptyBasic(request.authorizationHeaders[0]) {
            // Clients without credentials answer a Basic challenge with `Basic Og==` (":"); as in Zot, that is
            // no credentials at all, so the request continues as anonymous.
            request.authorizationHeaders = []
        }
        let headerCount = request.authorizationHeaders.count
        if headerCount > 1 {
            throw AuthenticationFailure(
                kind: .multipleAuthorizationHeaders,
                detail: "request carried \(headerCount) Authorization headers",
                appliesFailDelay: false
            )
        }
        let readsHeader = headerCount == 1
        for authenticator in authenticators where (authenticator.credentialSource == .authorizationHeader) == readsHeader {
            if let identity = try await authenticator.authenticate(request) {
                return identity
            }
        }
        if headerCount == 1 {
            throw AuthenticationFailure.invalidCredentials(Self.describeUnclaimed(request.authorizationHeaders[0]))
        }
        return .anonymous
    }

    /// Whether `header` is Basic with an empty user name and password (`Basic Og==`) or no payload.
    static func isEmptyBasic(_ header: String) -> Bool {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let scheme = parts.first, scheme.lowercased() == "basic" else { return false }
        let payload = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        return payload.isEmpty || payload == "Og=="
    }

    /// Names the scheme (and the Basic user name) for logs without revealing the secret.
    private static func describeUnclaimed(_ header: String) -> String {
        if let credentials = try? BasicCredentials.parse(header: header) {
            return "no authenticator accepted Basic credentials for user '\(credentials.username)'"
        }
        let scheme = header.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        return scheme.isEmpty ? "empty Authorization header" : "no authenticator accepted the '\(scheme.prefix(32))' credentials"
    }
}
