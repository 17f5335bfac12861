/// The parsed contents of an htpasswd file: accepted entries plus warnings for the lines that were skipped.
public struct HtpasswdFile: Sendable {
    /// One accepted `user:hash` line.
    public struct Entry: Sendable, Hashable {
        /// The user name.
        public let username: String
        /// The stored hash, exactly as in the file.
        let hash: String
        /// The hash format and cost.
        public let scheme: PasswordHashScheme
    }

    /// A line that was ignored, with the reason. Never contains the hash.
    public struct Warning: Sendable, Hashable, CustomStringConvertible {
        /// 1-based line number.
        public let lineNumber: Int
        /// The user named on the line, when one could be read.
        public let username: String?
        /// Why the line was ignored.
        public let reason: String

        public var description: String {
            let who = username.map { " (user '\($0)')" } ?? ""
            return "htpasswd line \(lineNumber)\(who) ignored: \(reason)"
        }
    }

    /// Accepted entries by user name (the first line for a user wins, as in Apache).
    public let entries: [String: Entry]
    /// Lines that were ignored.
    public let warnings: [Warning]

    /// Parses htpasswd text: `user:hash` per line; blank lines and lines starting with `#` are skipped;
    /// surrounding whitespace and CR line endings are tolerated.
    public init(parsing text: String) {
        var entries: [String: Entry] = [:]
        var warnings: [Warning] = []
        // Split on LF bytes: "\r\n" is a single Character in Swift and would not split on "\n".
        for (index, rawLine) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = Substring(rawLine).trimmingBlanks()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                warnings.append(Warning(lineNumber: lineNumber, username: nil, reason: "no ':' separating user and hash"))
                continue
            }
            let username = String(line[..<colon])
            let hash = String(line[line.index(after: colon)...])
            guard !username.isEmpty else {
                warnings.append(Warning(lineNumber: lineNumber, username: nil, reason: "empty user name"))
                continue
            }
            guard entries[username] == nil else {
                warnings.append(Warning(lineNumber: lineNumber, username: username, reason: "duplicate user; the first line wins"))
                continue
            }
            do {
                let scheme = try PasswordHashScheme.classify(hash)
                entries[username] = Entry(username: username, hash: hash, scheme: scheme)
            } catch {
                warnings.append(Warning(lineNumber: lineNumber, username: username, reason: "unsupported hash: \(error.rawValue)"))
            }
        }
        self.entries = entries
        self.warnings = warnings
    }

    /// The scheme used for the unknown-user dummy hash, so that an unknown user costs what a real one does:
    /// the most common scheme-and-cost in the file (ties: bcrypt before SHA-512 before SHA-256, then the
    /// higher cost); bcrypt cost 10 for a file without usable entries.
    public var typicalScheme: PasswordHashScheme {
        var counts: [PasswordHashScheme: Int] = [:]
        for entry in entries.values { counts[entry.scheme, default: 0] += 1 }
        let best = counts.max { lhs, rhs in
            (lhs.value, lhs.key.tieBreakRank.family, lhs.key.tieBreakRank.cost)
                < (rhs.value, rhs.key.tieBreakRank.family, rhs.key.tieBreakRank.cost)
        }
        return best?.key ?? .bcrypt(cost: 10)
    }
}

extension PasswordHashScheme {
    fileprivate var tieBreakRank: (family: Int, cost: Int) {
        switch self {
        case .bcrypt(let cost): (2, cost)
        case .sha512Crypt(let rounds): (1, rounds)
        case .sha256Crypt(let rounds): (0, rounds)
        }
    }
}
