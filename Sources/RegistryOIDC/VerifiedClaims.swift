/// The claims of a token whose signature, issuer, audience and validity period were checked.
public struct VerifiedClaims: Sendable, Hashable {
    /// The `sub` claim.
    public let subject: String
    /// The `iss` claim.
    public let issuer: String
    /// Every claim, as sent.
    public let claims: [String: JSONValue]

    /// Creates verified claims (only the verifier, and tests, should do this).
    public init(subject: String, issuer: String, claims: [String: JSONValue]) {
        self.subject = subject
        self.issuer = issuer
        self.claims = claims
    }

    /// The claim `name` when it is a string.
    public func string(_ name: String) -> String? {
        claims[name]?.stringValue
    }

    /// The claim `name` as a list of strings: an array's string members (others are skipped), a single string
    /// as a one-element list, anything else (or nothing) as an empty list.
    public func strings(_ name: String) -> [String] {
        switch claims[name] {
        case .string(let value)?: [value]
        case .array(let values)?: values.compactMap(\.stringValue)
        default: []
        }
    }
}
