import RegistryCore

/// Checks the owner-supplied parts of a new API key.
enum APIKeyValidation {
    static let maximumLabelLength = 100
    static let maximumScopes = 100
    static let maximumGlobLength = 1024

    /// Returns the label unchanged when it is 1–100 printable characters, not only spaces.
    static func validLabel(_ label: String) throws(APIKeyError) -> String {
        let length = label.count
        guard length > 0 else { throw .invalidLabel("the label is empty") }
        guard length <= maximumLabelLength else {
            throw .invalidLabel("the label has \(length) characters; at most \(maximumLabelLength) are allowed")
        }
        guard label.unicodeScalars.allSatisfy(isPrintable) else {
            throw .invalidLabel("the label contains control or non-printable characters")
        }
        guard !label.allSatisfy(\.isWhitespace) else { throw .invalidLabel("the label is blank") }
        return label
    }

    /// Accepts scopes whose repository glob is non-empty without whitespace and whose action set is non-empty.
    ///
    /// Glob *syntax* is not checked here (the policy module owns it); an unparsable glob simply matches nothing.
    static func validateScopes(_ scopes: [AccessScope]) throws(APIKeyError) {
        guard scopes.count <= maximumScopes else {
            throw .invalidScope("\(scopes.count) scopes given; at most \(maximumScopes) are allowed")
        }
        for (index, scope) in scopes.enumerated() {
            let glob = scope.repositories
            guard !glob.isEmpty else { throw .invalidScope("scope \(index + 1) has an empty repository pattern") }
            guard glob.utf8.count <= maximumGlobLength else {
                throw .invalidScope("scope \(index + 1) has a repository pattern longer than \(maximumGlobLength) bytes")
            }
            guard glob.unicodeScalars.allSatisfy({ isPrintable($0) && !$0.properties.isWhitespace }) else {
                throw .invalidScope("scope \(index + 1) repository pattern contains whitespace or control characters")
            }
            guard !scope.actions.isEmpty else { throw .invalidScope("scope \(index + 1) ('\(glob)') grants no actions") }
        }
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            false
        default:
            true
        }
    }
}
