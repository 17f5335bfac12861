import Foundation

/// The DN and password the authenticator binds with before searching for users (Zot's `credentialsFile`:
/// `{"bindDN": "…", "bindPassword": "…"}`). Both empty means an anonymous search.
public struct LDAPServiceCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The service account's DN; empty for anonymous.
    public let bindDN: String
    /// The service account's password; a secret, never logged or described.
    public let bindPassword: String

    /// Creates credentials; a DN with an empty password is refused because LDAP treats it as an
    /// unauthenticated bind that succeeds without proving anything.
    public init(bindDN: String, bindPassword: String) throws(LDAPCredentialsError) {
        if !bindDN.isEmpty && bindPassword.isEmpty {
            throw .emptyPassword
        }
        if bindDN.isEmpty && !bindPassword.isEmpty {
            throw .missingBindDN
        }
        self.init(checkedDN: bindDN, password: bindPassword)
    }

    private init(checkedDN: String, password: String) {
        bindDN = checkedDN
        bindPassword = password
    }

    /// Anonymous search (no service account).
    public static let anonymous = LDAPServiceCredentials(checkedDN: "", password: "")

    /// Whether no service account is configured.
    public var isAnonymous: Bool { bindDN.isEmpty }

    /// Parses a credentials file: a JSON object with string members `bindDN` and `bindPassword` (other
    /// members are ignored, as Zot does).
    public static func parse(json data: Data) throws(LDAPCredentialsError) -> LDAPServiceCredentials {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .notJSON
        }
        guard let members = object as? [String: Any] else { throw .notAnObject }
        guard let bindDN = members["bindDN"] else { throw .missingMember("bindDN") }
        guard let bindPassword = members["bindPassword"] else { throw .missingMember("bindPassword") }
        guard let dn = bindDN as? String else { throw .notAString("bindDN") }
        guard let password = bindPassword as? String else { throw .notAString("bindPassword") }
        return try LDAPServiceCredentials(bindDN: dn, bindPassword: password)
    }

    public var description: String { isAnonymous ? "anonymous" : "bindDN '\(bindDN)'" }
}

/// Why service credentials were refused. The descriptions never contain the password.
public enum LDAPCredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON
    case notAnObject
    case missingMember(String)
    case notAString(String)
    case emptyPassword
    case missingBindDN

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \"\(path)\": \(reason)"
        case .notJSON: "is not valid JSON"
        case .notAnObject: "must be a JSON object with bindDN and bindPassword"
        case .missingMember(let name): "lacks the member \"\(name)\""
        case .notAString(let name): "member \"\(name)\" must be a string"
        case .emptyPassword: "bindPassword is empty: LDAP would treat the bind as unauthenticated"
        case .missingBindDN: "bindPassword is set but bindDN is empty"
        }
    }
}
