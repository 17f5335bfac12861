import Testing
@testable import RegistryConfig

@Suite("storage.storageDriver: s3")
struct S3DriverConfigTests {
    func yaml(_ driver: String) -> String {
        minimalYAML("  storageDriver:\n" + driver.split(separator: "\n").map { "    \($0)\n" }.joined())
    }

    @Test("Zot's S3 example (endpoint without scheme, secure false) parses into typed settings")
    func zotExample() throws {
        let config = try ConfigLoader.parse(yaml("""
        name: s3
        rootdirectory: /zot
        region: us-east-2
        regionendpoint: localhost:4566
        bucket: zot-storage
        forcepathstyle: true
        secure: false
        skipverify: false
        accesskey: AKID
        secretkey: SECRET
        sessiontoken: TOKEN
        chunksize: 6291456
        storageclass: standard_ia
        encrypt: true
        keyid: arn:aws:kms:us-east-2:1:key/k
        """), format: .yaml)
        let s3 = try #require(config.storage.s3Driver)
        #expect(s3 == S3DriverSettings(rootDirectory: "/zot", region: "us-east-2", regionEndpoint: "localhost:4566",
                                       bucket: "zot-storage", forcePathStyle: true, secure: false, skipVerify: false,
                                       accessKey: "AKID", secretKey: "SECRET", sessionToken: "TOKEN", chunkSize: 6_291_456,
                                       storageClass: "STANDARD_IA", encrypt: true, keyID: "arn:aws:kms:us-east-2:1:key/k"))
        #expect(s3.encryptionHeaders.map(\.value) == ["aws:kms", "arn:aws:kms:us-east-2:1:key/k"])
        #expect(!s3.description.contains("SECRET"))
    }

    @Test("Defaults follow Distribution: secure, virtual-host style, 10 MiB parts, no encryption")
    func defaults() throws {
        let config = try ConfigLoader.parse(yaml("name: s3\nregion: us-east-1\nbucket: b-1"), format: .yaml)
        let s3 = try #require(config.storage.s3Driver)
        #expect(s3.secure && !s3.forcePathStyle && !s3.skipVerify && !s3.encrypt)
        #expect(s3.chunkSize == 10 * 1024 * 1024)
        #expect(s3.storageClass == nil && s3.regionEndpoint == nil && s3.rootDirectory == "")
        #expect(s3.encryptionHeaders.isEmpty)
        #expect(try ConfigLoader.parse(yaml("name: s3\nregion: r\nbucket: bkt\nencrypt: true"), format: .yaml)
            .storage.s3Driver?.encryptionHeaders.map(\.value) == ["AES256"])
    }

    @Test("Missing region or bucket, unknown keys and bad values are errors with their paths")
    func errors() {
        let found = messagesByPath(yaml("""
        name: s3
        regoin: us-east-1
        chunksize: 1048576
        storageclass: COLD
        secure: maybe
        keyid: k
        accesskey: A
        """))
        #expect(found["storage.storageDriver.region"] == "is required")
        #expect(found["storage.storageDriver.bucket"] == "is required")
        #expect(found["storage.storageDriver.regoin"] == "unknown key (did you mean \"region\"?)")
        #expect(found["storage.storageDriver.chunksize"]?.contains("5242880-5368709120") == true)
        #expect(found["storage.storageDriver.storageclass"]?.hasPrefix("\"COLD\" is not a storage class") == true)
        #expect(found["storage.storageDriver.secure"] == "\"maybe\" is not a boolean (expected true or false)")
        #expect(found["storage.storageDriver.keyid"] == "requires encrypt: true (a KMS key is only used for server-side encryption)")
        #expect(found["storage.storageDriver.secretkey"] == "is required when accesskey is set")
    }

    @Test("Distribution keys we do not implement are refused with the reason, not ignored")
    func unsupportedDistributionKeys() {
        let found = messagesByPath(yaml("name: s3\nregion: r\nbucket: bkt\nv4auth: false\naccelerate: true"))
        #expect(found["storage.storageDriver.v4auth"]?.hasPrefix("not supported: only AWS Signature Version 4") == true)
        #expect(found["storage.storageDriver.accelerate"]?.hasPrefix("not supported:") == true)
    }

    @Test("Bucket names outside S3's rules and rootdirectory traversal are refused")
    func namesChecked() {
        let found = messagesByPath(yaml("name: s3\nregion: r\nbucket: Bad_Bucket\nrootdirectory: /zot/../x"))
        #expect(found["storage.storageDriver.bucket"]?.contains("is not an S3 bucket name") == true)
        #expect(found["storage.storageDriver.rootdirectory"]?.contains("must not contain") == true)
    }

    @Test("An s3 driver in a subPath is parsed too, and a driver object without a name is refused")
    func subPathsAndName() throws {
        let config = try ConfigLoader.parse(minimalYAML("""
          subPaths:
            /a:
              rootDirectory: /tmp/a
              storageDriver: {name: s3, region: r, bucket: sub-bucket}
        """), format: .yaml)
        #expect(config.storage.subPaths["/a"]?.s3Driver?.bucket == "sub-bucket")
        #expect(config.storage.s3Driver == nil)
        #expect(messagesByPath(yaml("region: r"))["storage.storageDriver.name"] == "is required (filesystem or s3)")
    }
}
