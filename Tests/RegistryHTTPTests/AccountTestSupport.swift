import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RegistryAuth
import RegistryAuthCore
import RegistryConfig
import RegistryCore
@testable import RegistryApp
import RegistryHTTP
import RegistryMetadata
import RegistryOIDC
import RegistryPolicy

/// Users of every account test registry (htpasswd, bcrypt cost 5).
let accountTestUsers: [(name: String, password: String)] = [
    ("alice", "alice-secret"), ("bob", "bob-secret"), ("admin", "admin-secret"),
]

/// alice may do everything, bob may read and push, `admin` is the admin; anonymous callers get nothing.
let accountAccessControl = """
{"repositories":{"**":{"policies":[\
{"users":["alice"],"actions":["read","create","update","delete"]},\
{"users":["bob"],"actions":["read","create"]}]}},\
"adminPolicy":{"users":["admin"],"actions":["read","create","update","delete"]}}
"""

/// Basic credentials of an account test user.
func accountUser(_ name: String) -> HTTPFields {
    basicAuthorization(name, accountTestUsers.first { $0.name == name }?.password ?? "")
}

/// The `Cookie` header carrying a session cookie value.
func sessionCookie(_ value: String) -> HTTPFields {
    [.cookie: "\(SessionStore.cookieName)=\(value)"]
}

/// `Sec-Fetch-Site: same-origin`, as a browser sends it for requests from the registry's own pages.
let sameOrigin: HTTPFields = [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]

/// `application/json`.
let jsonContent: HTTPFields = [.contentType: "application/json"]
/// `application/x-www-form-urlencoded`.
let formContent: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

/// How an account test registry is built.
struct AccountRegistrySetup {
    /// Whether browser sessions (and so the web pages and logout) are served.
    var sessions = true
    /// OIDC login providers.
    var providers: [String: OIDCRelyingParty] = [:]
    /// `openid.callbackAllowOrigins`.
    var callbackAllowOrigins: [String] = []
    /// Whether API keys of removed owners are refused (the htpasswd file is the directory).
    var checksKeyOwners = false
    /// Authenticators tried before the API keys (e.g. a stand-in for bearer tokens).
    var extraAuthenticators: [any Authenticator] = []
}

/// What a test can reach behind the registry: the stores (to create sessions directly) and the audit file.
struct AccountFixture: Sendable {
    let keys: APIKeyStore
    let sessions: SessionStore
    let auditPath: String
    /// The htpasswd file of the registry (rewrite it with ``writeHtpasswd(_:to:)``).
    let htpasswdPath: String

    /// The audit events recorded so far, one JSON object per line.
    func auditEvents() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: auditPath, encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// The raw audit file.
    func auditText() throws -> String {
        try String(contentsOfFile: auditPath, encoding: .utf8)
    }
}

/// Builds the full pipeline (htpasswd users, `accountAccessControl`, an audit trail) with API keys and, unless
/// `setup` says otherwise, browser sessions over an in-memory metadata store, and runs `body` against it.
func withAccountRegistry(_ setup: AccountRegistrySetup = AccountRegistrySetup(),
                         _ body: @escaping @Sendable (any TestClientProtocol, AccountFixture) async throws -> Void) async throws {
    let directory = try TemporaryDirectory()
    let htpasswdPath = directory.path + "/htpasswd"
    try writeHtpasswd(accountTestUsers, to: htpasswdPath)
    let auditPath = directory.path + "/audit.log"
    let json = """
    {"storage":{"rootDirectory":\(JSONText.quote(directory.path + "/storage"))},\
    "http":{"address":"127.0.0.1","port":5000,"realm":"zot-authz-test",\
    "auth":{"htpasswd":{"path":\(JSONText.quote(htpasswdPath))}},"accessControl":\(accountAccessControl)},\
    "log":{"level":"error","audit":\(JSONText.quote(auditPath))}}
    """
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let config = try ConfigLoader.parse(json, format: .json)
    var options = try RegistryService.options(from: config, logger: logger)
    guard let accessControl = config.http.accessControl else { throw FixtureError(description: "the config lost its accessControl") }
    let engine = try PolicyEngine(accessControl)

    let store = try MetadataStore.inMemory()
    let keys = APIKeyStore(store: store)
    let sessions = SessionStore(store: store)
    var authenticators = options.authenticators.authenticators + setup.extraAuthenticators
    let directories = options.authenticators.authenticators.compactMap { $0 as? any AccountDirectory }
    let ownerCheck = setup.checksKeyOwners ? APIKeyOwnerCheck(directories: directories, oidcLoginConfigured: false) : nil
    authenticators.append(APIKeyAuthenticator(keys: keys, ownerCheck: ownerCheck))
    if setup.sessions { authenticators.append(SessionAuthenticator(sessions: sessions)) }
    options.authenticators = AuthenticatorChain(authenticators)
    options.account = AccountServices(providers: setup.providers, sessions: setup.sessions ? sessions : nil, apiKeys: keys,
                                      callbackAllowOrigins: setup.callbackAllowOrigins, isAdmin: { engine.isAdmin($0) })

    let fixture = AccountFixture(keys: keys, sessions: sessions, auditPath: auditPath, htpasswdPath: htpasswdPath)
    let app = Application(router: RegistryServer.router(options), logger: logger)
    try await app.test(.router) { client in
        try await body(client, fixture)
    }
    withExtendedLifetime(directory) {}
}

extension TestClientProtocol {
    /// Creates an API key through `POST /zot/auth/apikey` as `user`; fails unless it answered 201.
    /// Returns the key's uuid and secret.
    func createAPIKey(as user: String, body: String = #"{"label":"ci"}"#) async throws -> (uuid: String, secret: String) {
        let response = try await execute(uri: "/zot/auth/apikey", method: .post, headers: accountUser(user) + jsonContent,
                                         body: buffer(body))
        guard response.status == .created, let uuid = response.json?["uuid"] as? String,
              let secret = response.json?["apiKey"] as? String else {
            throw FixtureError(description: "POST /zot/auth/apikey answered \(response.status): \(response.text)")
        }
        return (uuid, secret)
    }
}

/// The value of `name` in a URL's query (percent-decoded).
func queryValue(_ name: String, in url: String) -> String? {
    URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
}

/// The value of the hidden `csrf` input of a rendered page.
func csrfToken(in page: String) -> String? {
    guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
    let rest = page[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}

/// `name=value&…`, percent-encoded for a form body.
func formBody(_ fields: [(String, String)]) -> ByteBuffer {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    let text = fields.map { name, value in
        "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
    }.joined(separator: "&")
    return buffer(text)
}
