/// Server-side encryption requested on every object written (Distribution's `encrypt` / `keyid`).
public enum S3ServerSideEncryption: Sendable, Hashable {
    /// `x-amz-server-side-encryption: AES256` (S3-managed keys).
    case aes256
    /// `x-amz-server-side-encryption: aws:kms`, with `x-amz-server-side-encryption-aws-kms-key-id` when a key is named.
    case kms(keyID: String?)

    /// The request headers that ask for this encryption.
    public var headers: [(name: String, value: String)] {
        switch self {
        case .aes256:
            return [(name: "x-amz-server-side-encryption", value: "AES256")]
        case .kms(let keyID):
            var headers: [(name: String, value: String)] = [(name: "x-amz-server-side-encryption", value: "aws:kms")]
            if let keyID { headers.append((name: "x-amz-server-side-encryption-aws-kms-key-id", value: keyID)) }
            return headers
        }
    }
}

/// Everything an ``S3Client`` needs to reach one bucket.
public struct S3Configuration: Sendable {
    public var bucket: String
    public var region: String
    public var endpoint: S3Endpoint
    /// Path style (`host/bucket/key`) instead of virtual-host style (`bucket.host/key`).
    public var forcePathStyle: Bool
    /// Do not verify the server's TLS certificate (`skipverify`).
    public var skipTLSVerify: Bool
    public var credentials: AWSCredentials
    /// `x-amz-storage-class` for new objects (`STANDARD` is S3's default and is not sent).
    public var storageClass: String?
    public var serverSideEncryption: S3ServerSideEncryption?

    public init(bucket: String, region: String, endpoint: S3Endpoint? = nil, forcePathStyle: Bool = false,
                skipTLSVerify: Bool = false, credentials: AWSCredentials, storageClass: String? = nil,
                serverSideEncryption: S3ServerSideEncryption? = nil) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint ?? .aws(region: region)
        self.forcePathStyle = forcePathStyle
        self.skipTLSVerify = skipTLSVerify
        self.credentials = credentials
        self.storageClass = storageClass
        self.serverSideEncryption = serverSideEncryption
    }

    /// The headers that go on every request creating an object (PUT, copy, multipart create).
    var objectCreationHeaders: [(name: String, value: String)] {
        var headers = serverSideEncryption?.headers ?? []
        if let storageClass, storageClass.uppercased() != "STANDARD", !storageClass.isEmpty {
            headers.append(("x-amz-storage-class", storageClass))
        }
        return headers
    }
}
