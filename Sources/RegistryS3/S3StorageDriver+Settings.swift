import AsyncHTTPClient
import RegistryConfig

extension S3Configuration {
    /// The client configuration `storage.storageDriver` (name: s3) asks for; credentials from the config, else the
    /// environment, else the shared credentials file (``AWSCredentialsProvider``).
    public init(settings: S3DriverSettings, credentialsProvider: AWSCredentialsProvider = AWSCredentialsProvider()) throws(S3Error) {
        let credentials = try credentialsProvider.resolve(accessKey: settings.accessKey, secretKey: settings.secretKey,
                                                          sessionToken: settings.sessionToken)
        let endpoint = try settings.regionEndpoint.map { text throws(S3Error) in try S3Endpoint(parsing: text, secure: settings.secure) }
            ?? .aws(region: settings.region, secure: settings.secure)
        let encryption: S3ServerSideEncryption? = settings.encrypt ? (settings.keyID.map { .kms(keyID: $0) } ?? .aes256) : nil
        self.init(bucket: settings.bucket, region: settings.region, endpoint: endpoint, forcePathStyle: settings.forcePathStyle,
                  skipTLSVerify: settings.skipVerify, credentials: credentials, storageClass: settings.storageClass,
                  serverSideEncryption: encryption)
    }
}

extension S3StorageDriver {
    /// A driver for `settings`, on `client` (which the caller shuts down).
    public init(settings: S3DriverSettings, client: S3Client) throws(S3Error) {
        try self.init(client: client, rootDirectory: settings.rootDirectory, partSize: settings.chunkSize)
    }
}
