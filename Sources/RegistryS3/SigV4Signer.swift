import Crypto
import Foundation

/// AWS Signature Version 4 for the `Authorization` header (single-chunk payloads).
///
/// The signer adds `host`, `x-amz-date`, `x-amz-security-token` (temporary credentials) and, for S3,
/// `x-amz-content-sha256` to the headers it signs; the payload hash is either the hex SHA-256 of the body or
/// ``SigV4Signer/unsignedPayload`` for streamed bodies.
public struct SigV4Signer: Sendable {
    /// `x-amz-content-sha256` value for a body that is not hashed in advance (streamed uploads).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// Hex SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    /// Send and sign `x-amz-content-sha256` (S3 requires it; the generic SigV4 test suite omits it).
    public var sendsContentHashHeader: Bool

    public init(credentials: AWSCredentials, region: String, service: String = "s3", sendsContentHashHeader: Bool? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.sendsContentHashHeader = sendsContentHashHeader ?? (service == "s3")
    }

    /// What signing produced: the headers to send (the given ones plus the signer's) and the intermediate texts.
    public struct SignedRequest: Sendable {
        /// Headers to send, the given ones first, then `x-amz-*` and `authorization` (never `host`: the
        /// HTTP client sets it from the URL; it is signed all the same).
        public var headers: [(name: String, value: String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
    }

    /// Signs one request.
    /// - Parameters:
    ///   - path: the path as it goes on the wire, already percent-encoded (S3: ``S3URIEncoding/encode(_:keepSlash:)``
    ///     of the key with `/` kept). S3 signs it as it is.
    ///   - query: decoded names and values; they are encoded and sorted here.
    ///   - host: the `Host` header value (with `:port` when not the scheme's default).
    public func sign(method: String, host: String, path: String, query: [(name: String, value: String)] = [],
                     headers: [(name: String, value: String)] = [], payloadHash: String, date: Date) -> SignedRequest {
        let (amzDate, day) = Self.timestamps(date)
        var added: [(name: String, value: String)] = [("x-amz-date", amzDate)]
        if sendsContentHashHeader, !headers.contains(where: { $0.name.lowercased() == "x-amz-content-sha256" }) {
            added.append(("x-amz-content-sha256", payloadHash))
        }
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }

        var canonical: [String: [String]] = ["host": [host]]
        for (name, value) in headers + added {
            canonical[name.lowercased(), default: []].append(Self.trimmed(value))
        }
        let names = canonical.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let headerBlock = names.map { "\($0):\(canonical[$0]!.joined(separator: ","))\n" }.joined()
        let canonicalRequest = [method, path.isEmpty ? "/" : path, S3URIEncoding.canonicalQuery(query),
                                headerBlock, signedHeaders, payloadHash].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Hex.sha256(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
        let signature = Hex.encode(Self.hmac(signingKey(day: day), stringToSign))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SignedRequest(headers: headers + added + [("authorization", authorization)],
                             canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                             signature: signature, authorization: authorization)
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    func signingKey(day: String) -> SymmetricKey {
        let kDate = Self.hmac(SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8)), day)
        let kRegion = Self.hmac(SymmetricKey(data: kDate), region)
        let kService = Self.hmac(SymmetricKey(data: kRegion), service)
        return SymmetricKey(data: Self.hmac(SymmetricKey(data: kService), "aws4_request"))
    }

    private static func hmac(_ key: SymmetricKey, _ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
    }

    /// Header values are trimmed and inner runs of spaces collapse to one (AWS's `Trimall`).
    static func trimmed(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `(yyyyMMdd'T'HHmmss'Z', yyyyMMdd)` in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        return ("\(day)T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z", day)
    }
}
