/// Failures of S3 calls, with S3's error codes mapped to the cases callers act on.
public enum S3Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// `NoSuchKey`, or a 404 to a HEAD (which has no body): the object does not exist.
    case noSuchKey(key: String)
    /// `NoSuchBucket`.
    case noSuchBucket(bucket: String)
    /// `NoSuchUpload`: the multipart upload was completed, aborted or never existed.
    case noSuchUpload(uploadID: String)
    /// `InvalidRange` (416): the range starts past the object's end.
    case invalidRange(key: String)
    /// `AccessDenied`, `InvalidAccessKeyId`, `SignatureDoesNotMatch`, … (403).
    case accessDenied(code: String, message: String)
    /// Any other error response.
    case service(status: Int, code: String, message: String, requestID: String?)
    /// A 2xx response whose body is not what the API promises.
    case malformedResponse(String)
    /// A setting that cannot work (bad endpoint, missing credentials, bad part size).
    case invalidConfiguration(String)

    /// True for the cases that mean "this object / upload is not there".
    public var isNotFound: Bool {
        switch self {
        case .noSuchKey, .noSuchUpload, .noSuchBucket: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .noSuchKey(let key): "S3: no such key \(key)"
        case .noSuchBucket(let bucket): "S3: no such bucket \(bucket)"
        case .noSuchUpload(let id): "S3: no such multipart upload \(id)"
        case .invalidRange(let key): "S3: range not satisfiable for \(key)"
        case .accessDenied(let code, let message): "S3: access denied (\(code)): \(message)"
        case .service(let status, let code, let message, let requestID):
            "S3: HTTP \(status) \(code): \(message)" + (requestID.map { " (request \($0))" } ?? "")
        case .malformedResponse(let detail): "S3: malformed response: \(detail)"
        case .invalidConfiguration(let detail): "S3 configuration: \(detail)"
        }
    }

    /// Maps an error response (status + body, possibly empty) for the object `key` / upload `uploadID`.
    static func from(status: Int, body: [UInt8], bucket: String, key: String?, uploadID: String?) -> S3Error {
        let tree = XMLElementTree.parse(body)
        let code = tree?.text(of: "Code") ?? ""
        let message = tree?.text(of: "Message") ?? ""
        let requestID = tree?.text(of: "RequestId")
        switch code {
        case "NoSuchKey": return .noSuchKey(key: key ?? "")
        case "NoSuchBucket": return .noSuchBucket(bucket: bucket)
        case "NoSuchUpload": return .noSuchUpload(uploadID: uploadID ?? "")
        case "InvalidRange": return .invalidRange(key: key ?? "")
        case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken":
            return .accessDenied(code: code, message: message)
        case "":
            if status == 404 { return uploadID.map { S3Error.noSuchUpload(uploadID: $0) } ?? S3Error.noSuchKey(key: key ?? "") }
            if status == 416 { return .invalidRange(key: key ?? "") }
            if status == 403 { return .accessDenied(code: "Forbidden", message: "HTTP 403") }
            return .service(status: status, code: "HTTP\(status)", message: String(decoding: body.prefix(200), as: UTF8.self), requestID: nil)
        default:
            return .service(status: status, code: code, message: message, requestID: requestID)
        }
    }
}
