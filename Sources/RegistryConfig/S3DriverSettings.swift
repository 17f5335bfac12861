/// `storage.storageDriver` with `name: s3`: Zot's S3 settings (Distribution's `s3-aws` keys), typed.
/// Secrets are kept as written; ``description`` never shows them.
public struct S3DriverSettings: Sendable, Hashable, CustomStringConvertible {
    /// S3's smallest multipart part, and so the smallest `chunksize` (as Distribution).
    public static let minimumChunkSize = 5 * 1024 * 1024
    /// Distribution's default `chunksize`, 10 MiB.
    public static let defaultChunkSize = 10 * 1024 * 1024
    /// S3's largest part, 5 GiB.
    public static let maximumChunkSize = 5 * 1024 * 1024 * 1024
    /// Storage classes S3 accepts (`NONE`: send no storage class header).
    public static let storageClasses = ["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                                        "INTELLIGENT_TIERING", "OUTPOSTS", "GLACIER_IR", "NONE"]

    /// `rootdirectory`: key prefix in the bucket (Zot applies it twice; see the S3 storage driver).
    public var rootDirectory: String
    public var region: String
    /// `regionendpoint` as written (`localhost:4566` or `http://…`); nil → AWS's endpoint for the region.
    public var regionEndpoint: String?
    public var bucket: String
    /// Default false (virtual-host style), as in Distribution.
    public var forcePathStyle: Bool
    /// Default true: https when `regionendpoint` has no scheme.
    public var secure: Bool
    public var skipVerify: Bool
    public var accessKey: String?
    public var secretKey: String?
    public var sessionToken: String?
    /// Multipart part size in bytes (≥ 5 MiB).
    public var chunkSize: Int
    /// nil when `NONE` or `STANDARD` (S3's default; nothing to send).
    public var storageClass: String?
    /// `encrypt`: server-side encryption on every object.
    public var encrypt: Bool
    /// `keyid`: KMS key for `encrypt` (SSE-KMS); without it SSE-S3 (AES256).
    public var keyID: String?

    public init(rootDirectory: String = "", region: String, regionEndpoint: String? = nil, bucket: String,
                forcePathStyle: Bool = false, secure: Bool = true, skipVerify: Bool = false,
                accessKey: String? = nil, secretKey: String? = nil, sessionToken: String? = nil,
                chunkSize: Int = S3DriverSettings.defaultChunkSize, storageClass: String? = nil,
                encrypt: Bool = false, keyID: String? = nil) {
        self.rootDirectory = rootDirectory
        self.region = region
        self.regionEndpoint = regionEndpoint
        self.bucket = bucket
        self.forcePathStyle = forcePathStyle
        self.secure = secure
        self.skipVerify = skipVerify
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.chunkSize = chunkSize
        self.storageClass = storageClass
        self.encrypt = encrypt
        self.keyID = keyID
    }

    /// The server-side-encryption request headers `encrypt`/`keyid` ask for (empty when not encrypting).
    public var encryptionHeaders: [(name: String, value: String)] {
        guard encrypt else { return [] }
        guard let keyID else { return [("x-amz-server-side-encryption", "AES256")] }
        return [("x-amz-server-side-encryption", "aws:kms"), ("x-amz-server-side-encryption-aws-kms-key-id", keyID)]
    }

    public var description: String {
        "s3(bucket: \(bucket), region: \(region), endpoint: \(regionEndpoint ?? "aws"), rootdirectory: \(rootDirectory), "
            + "accesskey: \(accessKey == nil ? "unset" : "set"), secretkey: \(secretKey == nil ? "unset" : "<redacted>"))"
    }
}
