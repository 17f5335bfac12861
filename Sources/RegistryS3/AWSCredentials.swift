/// An access key pair, with the session token of temporary credentials.
public struct AWSCredentials: Sendable, Hashable {
    /// `AWS_ACCESS_KEY_ID` / `accesskey`.
    public var accessKeyID: String
    /// `AWS_SECRET_ACCESS_KEY` / `secretkey`. Never logged.
    public var secretAccessKey: String
    /// `AWS_SESSION_TOKEN` / `sessiontoken`, sent as `x-amz-security-token` when present.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken?.isEmpty == true ? nil : sessionToken
    }
}

extension AWSCredentials: CustomStringConvertible {
    /// Names the access key only, so credentials never reach a log by accident.
    public var description: String { "AWSCredentials(accessKeyID: \(accessKeyID), secret: <redacted>)" }
}
