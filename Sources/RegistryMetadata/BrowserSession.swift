import Foundation

/// A signed-in browser (after an OIDC login). The cookie that identifies it is not part of it: it is stored hashed.
public struct BrowserSession: Sendable, Hashable {
    /// A public identifier (lower-case UUID) for audit and for listing sessions; not a credential.
    public let id: String
    /// The user name established at login.
    public let username: String
    /// The groups established at login (from the identity provider's claims).
    public let groups: [String]
    /// The name of the identity provider used.
    public let provider: String
    /// When the session was created.
    public let createdAt: Date
    /// When the session ends.
    public let expiresAt: Date
    /// A random token (base64url) the UI must echo on state-changing requests (CSRF protection).
    public let csrfToken: String

    /// Creates a session value.
    public init(id: String, username: String, groups: [String], provider: String, createdAt: Date, expiresAt: Date,
                csrfToken: String) {
        self.id = id
        self.username = username
        self.groups = groups
        self.provider = provider
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.csrfToken = csrfToken
    }
}

/// An OIDC authorization request in flight, kept between the redirect to the provider and its callback.
public struct PendingLogin: Sendable, Hashable {
    /// The `state` parameter sent to the provider; the key under which the login is found again.
    public let state: String
    /// The `nonce` expected in the ID token.
    public let nonce: String
    /// The PKCE code verifier.
    public let codeVerifier: String
    /// The name of the identity provider.
    public let provider: String
    /// Where to send the browser after a successful login, if the UI asked for a place.
    public let callbackUI: String?
    /// When the login started; logins older than ``SessionStore/pendingLoginLifetime`` are discarded.
    public let createdAt: Date
    /// The client address that started the login (after trusted-proxy handling); bounds logins per address.
    public let clientAddress: String?

    /// Creates a pending login.
    public init(state: String, nonce: String, codeVerifier: String, provider: String, callbackUI: String?, createdAt: Date,
                clientAddress: String? = nil) {
        self.clientAddress = clientAddress
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.provider = provider
        self.callbackUI = callbackUI
        self.createdAt = createdAt
    }
}
