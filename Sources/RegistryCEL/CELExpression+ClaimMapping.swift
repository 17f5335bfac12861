extension CELExpression {
    /// Compiles a `claimMapping` entry: a bare claim name (`sub`, `preferred_username`) is read as that claim
    /// (`claims['sub']`), as this registry's earlier plain-name mappings were; anything else is CEL over `claims`
    /// and `vars`.
    public init(claimMapping text: String) throws(CELError) {
        if let name = Self.plainClaimName(text) {
            try self.init("claims['\(name)']")
        } else {
            try self.init(text)
        }
    }

    /// The claim name when `text` is a bare name rather than an expression.
    public static func plainClaimName(_ text: String) -> String? {
        guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
              text.unicodeScalars.allSatisfy({ $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }),
              !["true", "false", "null", "claims", "vars", "in", "has"].contains(text) else { return nil }
        return text
    }
}
