/// The OCI distribution-spec error codes, each with the HTTP status we answer with.
///
/// This is the single table of wire errors: every failure a client can see is one of these,
/// rendered as `{"errors":[{"code","message","detail"}]}`.
public enum RegistryErrorCode: String, Sendable, CaseIterable {
    case blobUnknown = "BLOB_UNKNOWN"
    case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
    case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
    case digestInvalid = "DIGEST_INVALID"
    case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
    case manifestInvalid = "MANIFEST_INVALID"
    case manifestUnknown = "MANIFEST_UNKNOWN"
    case nameInvalid = "NAME_INVALID"
    case nameUnknown = "NAME_UNKNOWN"
    case sizeInvalid = "SIZE_INVALID"
    case unauthorized = "UNAUTHORIZED"
    case denied = "DENIED"
    case unsupported = "UNSUPPORTED"
    case tooManyRequests = "TOOMANYREQUESTS"
    case rangeInvalid = "RANGE_INVALID"
    case unavailable = "UNAVAILABLE"
    case unknown = "UNKNOWN"

    /// The default HTTP status for this code.
    public var status: Int {
        switch self {
        case .blobUnknown, .blobUploadUnknown, .manifestUnknown, .nameUnknown: return 404
        case .blobUploadInvalid, .digestInvalid, .manifestBlobUnknown, .manifestInvalid,
             .nameInvalid, .sizeInvalid: return 400
        case .unauthorized: return 401
        case .denied: return 403
        case .unsupported: return 405
        case .tooManyRequests: return 429
        case .rangeInvalid: return 416
        case .unavailable: return 503
        case .unknown: return 500
        }
    }

    /// The spec's human-readable message for the code.
    public var message: String {
        switch self {
        case .blobUnknown: return "blob unknown to registry"
        case .blobUploadInvalid: return "blob upload invalid"
        case .blobUploadUnknown: return "blob upload unknown to registry"
        case .digestInvalid: return "provided digest did not match uploaded content"
        case .manifestBlobUnknown: return "manifest references a manifest or blob unknown to registry"
        case .manifestInvalid: return "manifest invalid"
        case .manifestUnknown: return "manifest unknown to registry"
        case .nameInvalid: return "invalid repository name"
        case .nameUnknown: return "repository name not known to registry"
        case .sizeInvalid: return "provided length did not match content length"
        case .unauthorized: return "authentication required"
        case .denied: return "requested access to the resource is denied"
        case .unsupported: return "the operation is unsupported"
        case .tooManyRequests: return "too many requests"
        case .rangeInvalid: return "requested range not satisfiable"
        case .unavailable: return "service unavailable"
        case .unknown: return "unknown error"
        }
    }
}

/// A registry failure to be shown to the client: a code, an optional status override and detail.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// The OCI error code.
    public let code: RegistryErrorCode
    /// HTTP status (defaults to the code's status).
    public let status: Int
    /// Message shown to the client (defaults to the code's message).
    public let message: String
    /// Extra, non-secret detail for the client.
    public let detail: String?

    /// Creates an error; `status` and `message` default to the code's.
    public init(_ code: RegistryErrorCode, status: Int? = nil, message: String? = nil, detail: String? = nil) {
        self.code = code
        self.status = status ?? code.status
        self.message = message ?? code.message
        self.detail = detail
    }

    public var description: String {
        "\(code.rawValue) (\(status)): \(message)" + (detail.map { " — \($0)" } ?? "")
    }

    /// The OCI error body `{"errors":[{"code","message","detail"}]}` as JSON bytes.
    public var jsonBody: String {
        var entry = "{\"code\":\(JSONText.quote(code.rawValue)),\"message\":\(JSONText.quote(message))"
        if let detail { entry += ",\"detail\":\(JSONText.quote(detail))" }
        return "{\"errors\":[\(entry)}]}"
    }
}

/// Minimal JSON string quoting, shared by hand-rendered bodies.
public enum JSONText {
    /// Returns `text` as a JSON string literal.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
