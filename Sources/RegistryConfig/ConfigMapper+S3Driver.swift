extension ConfigMapper {
    /// Keys of the S3 driver; each is implemented.
    static let s3DriverKeys = ["name", "rootdirectory", "region", "regionendpoint", "bucket", "forcepathstyle", "secure",
                               "skipverify", "accesskey", "secretkey", "sessiontoken", "chunksize", "storageclass",
                               "encrypt", "keyid"]
    /// Distribution `s3-aws` keys zot-authz refuses rather than ignore, with the reason.
    static let s3UnsupportedKeys = [
        "v4auth": "only AWS Signature Version 4 is implemented (remove the key or set it to true)",
        "multipartcopychunksize": "server-side copies use CopyObject; this tuning key is not implemented",
        "multipartcopymaxconcurrency": "server-side copies use CopyObject; this tuning key is not implemented",
        "multipartcopythresholdsize": "server-side copies use CopyObject; this tuning key is not implemented",
        "useragent": "a custom User-Agent is not implemented",
        "usedualstack": "dual-stack endpoints are not implemented (set regionendpoint instead)",
        "accelerate": "S3 transfer acceleration is not implemented",
        "objectacl": "object ACLs are not implemented (S3's default, private, applies)",
        "loglevel": "S3 request logging follows log.level",
    ]

    /// `storageDriver` with `name: s3`.
    func mapS3Driver(_ node: ConfigNode) -> S3DriverSettings? {
        var unsupported: [String: String] = [:]
        for (key, reason) in Self.s3UnsupportedKeys { unsupported[key] = reason }
        guard let reader = ObjectReader(node, known: Self.s3DriverKeys, collector: collector, explainUnknown: { key, _ in
            unsupported[key.lowercased()].map { "not supported: \($0)" }
        }) else { return nil }
        let region = reader.requiredString("region")
        let bucket = reader.requiredString("bucket")
        var settings = S3DriverSettings(region: region ?? "", bucket: bucket ?? "")
        if let bucket, !Self.isBucketName(bucket) {
            collector.error(reader.path(of: "bucket"), "\"\(bucket)\" is not an S3 bucket name (3-63 of a-z 0-9 . -)")
        }
        if let root = reader.string("rootdirectory") {
            if root.utf8.contains(0) || root.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) {
                collector.error(reader.path(of: "rootdirectory"), "\"\(root)\" must not contain NUL, . or .. components")
            }
            settings.rootDirectory = root
        }
        if let endpoint = reader.node("regionendpoint"), let text = collector.string(endpoint), !text.isEmpty {
            settings.regionEndpoint = text
        }
        settings.forcePathStyle = reader.bool("forcepathstyle") ?? false
        settings.secure = reader.bool("secure") ?? true
        settings.skipVerify = reader.bool("skipverify") ?? false
        settings.accessKey = reader.string("accesskey").flatMap { $0.isEmpty ? nil : $0 }
        settings.secretKey = reader.string("secretkey").flatMap { $0.isEmpty ? nil : $0 }
        settings.sessionToken = reader.string("sessiontoken").flatMap { $0.isEmpty ? nil : $0 }
        if (settings.accessKey == nil) != (settings.secretKey == nil) {
            collector.error(reader.path(of: settings.accessKey == nil ? "accesskey" : "secretkey"),
                            "is required when \(settings.accessKey == nil ? "secretkey" : "accesskey") is set")
        }
        if let chunk = reader.node("chunksize"),
           let size = collector.integer(chunk, naming: "a part size in bytes",
                                        in: S3DriverSettings.minimumChunkSize...S3DriverSettings.maximumChunkSize) {
            settings.chunkSize = size
        }
        if let classNode = reader.node("storageclass"), let text = collector.string(classNode) {
            let upper = text.uppercased()
            if !S3DriverSettings.storageClasses.contains(upper) {
                collector.error(classNode.path, "\(classNode.quoted) is not a storage class (\(S3DriverSettings.storageClasses.joined(separator: ", ")))")
            } else if upper != "NONE" && upper != "STANDARD" {
                settings.storageClass = upper
            }
        }
        settings.encrypt = reader.bool("encrypt") ?? false
        if let keyNode = reader.node("keyid"), let key = collector.string(keyNode), !key.isEmpty {
            if settings.encrypt {
                settings.keyID = key
            } else {
                collector.error(keyNode.path, "requires encrypt: true (a KMS key is only used for server-side encryption)")
            }
        }
        return region == nil || bucket == nil ? nil : settings
    }

    /// S3's bucket naming rules (lowercase letters, digits, dots, hyphens; 3-63; starts and ends alphanumeric).
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}
