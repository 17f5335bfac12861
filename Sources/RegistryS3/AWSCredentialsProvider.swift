import Foundation

/// Finds credentials the way Zot's and Distribution's S3 drivers do, in this order: the config's
/// `accesskey`/`secretkey`/`sessiontoken`; else `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`;
/// else the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`), profile
/// `AWS_PROFILE` (default `default`). Instance-metadata and SSO credentials are not supported and say so.
public struct AWSCredentialsProvider: Sendable {
    public var environment: [String: String]
    /// Reads a file's text, nil when it does not exist (injected for tests).
    public var readFile: @Sendable (String) -> String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                readFile: @escaping @Sendable (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }) {
        self.environment = environment
        self.readFile = readFile
    }

    /// Resolves credentials; `configured*` are the config file's values (empty strings count as absent).
    public func resolve(accessKey: String? = nil, secretKey: String? = nil, sessionToken: String? = nil) throws(S3Error) -> AWSCredentials {
        let access = accessKey.flatMap { $0.isEmpty ? nil : $0 }
        let secret = secretKey.flatMap { $0.isEmpty ? nil : $0 }
        switch (access, secret) {
        case let (access?, secret?):
            return AWSCredentials(accessKeyID: access, secretAccessKey: secret, sessionToken: sessionToken)
        case (.some, nil):
            throw .invalidConfiguration("accesskey is set but secretkey is not")
        case (nil, .some):
            throw .invalidConfiguration("secretkey is set but accesskey is not")
        case (nil, nil):
            break
        }
        let envAccess = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let envSecret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let envAccess, let envSecret {
            return AWSCredentials(accessKeyID: envAccess, secretAccessKey: envSecret,
                                  sessionToken: environment["AWS_SESSION_TOKEN"])
        }
        if (envAccess == nil) != (envSecret == nil) {
            throw .invalidConfiguration("only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set")
        }
        let path = sharedCredentialsPath
        let profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        guard let text = readFile(path) else {
            throw .invalidConfiguration("no S3 credentials: set accesskey/secretkey, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                                        + "or profile \"\(profile)\" in \(path) (instance-metadata credentials are not supported)")
        }
        guard let section = Self.parseINI(text)[profile] else {
            throw .invalidConfiguration("\(path) has no profile \"\(profile)\"")
        }
        guard let fileAccess = section["aws_access_key_id"], !fileAccess.isEmpty,
              let fileSecret = section["aws_secret_access_key"], !fileSecret.isEmpty else {
            throw .invalidConfiguration("profile \"\(profile)\" in \(path) lacks aws_access_key_id or aws_secret_access_key")
        }
        return AWSCredentials(accessKeyID: fileAccess, secretAccessKey: fileSecret,
                              sessionToken: section["aws_session_token"] ?? section["aws_security_token"])
    }

    var sharedCredentialsPath: String {
        if let path = environment["AWS_SHARED_CREDENTIALS_FILE"], !path.isEmpty { return path }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.aws/credentials"
    }

    /// `[section]` → `key = value` (keys lowercased); `#` and `;` start comment lines.
    static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = String(rawLine).trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = String(line.dropFirst().dropLast()).trimmingSpaces()
                if name.hasPrefix("profile ") { name = String(name.dropFirst(8)).trimmingSpaces() }
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingSpaces().lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingSpaces()
            sections[current, default: [:]][key] = value
        }
        return sections
    }
}
