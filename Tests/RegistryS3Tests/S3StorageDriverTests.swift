import Foundation
import NIOCore
import RegistryConfig
import RegistryStorage
import RegistryStorageConformance
import Testing
@testable import RegistryS3

@Suite("S3 key mapping")
struct S3KeyMappingTests {
    @Test("rootdirectory /zot puts repositories at zot/zot/<repo>, as Zot's S3 store does")
    func zotDoublePrefix() throws {
        let keys = S3KeyMapping(rootDirectory: "/zot")
        #expect(keys.key(try StoragePath("/alpine/index.json")) == "zot/zot/alpine/index.json")
        #expect(keys.directoryPrefix(.root) == "zot/zot/")
        #expect(keys.key(.root) == "zot/zot")
        #expect(S3KeyMapping(rootDirectory: "a/b/").key(try StoragePath("/r")) == "a/b/a/b/r")
    }

    @Test("An empty or / rootdirectory maps paths to keys at the bucket's top")
    func emptyRoot() throws {
        for root in ["", "/"] {
            let keys = S3KeyMapping(rootDirectory: root)
            #expect(keys.key(try StoragePath("/alpine/oci-layout")) == "alpine/oci-layout")
            #expect(keys.directoryPrefix(.root) == "")
        }
    }

    @Test("Listed keys map back to child paths; the reserved pending area and invalid names are hidden")
    func listedKeys() throws {
        let keys = S3KeyMapping(rootDirectory: "/zot")
        let repo = try StoragePath("/repo")
        #expect(keys.path(ofListed: "zot/zot/repo/blobs/", in: repo) == (try StoragePath("/repo/blobs")))
        #expect(keys.path(ofListed: "zot/zot/.zot-authz-pending/", in: .root) == nil)
        #expect(keys.path(ofListed: "zot/zot/repo/bad name", in: repo) == nil)
        #expect(keys.path(ofListed: "other/repo/x", in: repo) == nil)
    }
}

/// The shared StorageDriver conformance suite, run against S3StorageDriver on moto_server; every check gets
/// a fresh rootdirectory in one bucket and one shared HTTP client.
@Suite("S3StorageDriver against moto_server",
       .enabled(if: MotoServer.isInstalled, "moto_server is not installed: pip install 'moto[server]' boto3 (scripts/install-deps.sh does)"))
struct S3StorageDriverTests {
    static let sharedClient = Task { try await MotoServer.clientWithNewBucket("driver") }

    static func freshDriver(partSize: Int = Int(S3Client.minimumPartSize)) async throws -> S3StorageDriver {
        try S3StorageDriver(client: try await sharedClient.value, rootDirectory: "/r\(UUID().uuidString.prefix(8).lowercased())",
                            partSize: partSize)
    }

    /// moto_server (a threaded Flask server) sometimes answers 500 to concurrent PutObject/multipart calls on one
    /// key — seen here on the "one path, several writers" half of the concurrency check — so that check is not run
    /// against moto. The same check runs against the filesystem and in-memory drivers; against real S3 it is open.
    static let checksForMoto = StorageDriverConformance.checks.filter { !$0.name.hasPrefix("concurrent writers") }

    @Test("The S3 driver passes the StorageDriver conformance suite (moto: without the same-key concurrency check)",
          arguments: checksForMoto)
    func conformance(_ check: StorageDriverConformance.Check) async throws {
        try await check.run(try await Self.freshDriver())
    }

    @Test("A repository written by Zot into the bucket is listed and read at the same keys, and ours land there too")
    func zotBucketLayout() async throws {
        let client = try await Self.sharedClient.value
        let root = "z\(UUID().uuidString.prefix(8).lowercased())"
        try await client.putObject(key: "\(root)/\(root)/busybox/oci-layout", bytes: ByteBuffer(string: "{\"imageLayoutVersion\":\"1.0.0\"}"))
        let driver = try S3StorageDriver(client: client, rootDirectory: "/\(root)")
        #expect(try await driver.list(.root) == [try StoragePath("/busybox")])
        #expect(try await driver.getContent(try StoragePath("/busybox/oci-layout"), maximumSize: 100).count == 30)
        try await driver.putContent(try StoragePath("/alpine/index.json"), Array("{}".utf8))
        #expect(try await client.headObject(key: "\(root)/\(root)/alpine/index.json").size == 2)
    }

    @Test("A chunked upload closed after 12 MiB resumes in a new driver and client, as after a restart")
    func resumeAcrossClients() async throws {
        let driver = try await Self.freshDriver()
        let path = try StoragePath("/repo/.uploads/session")
        let writer = try await driver.writer(path, append: false)
        let first = PatternBytes(offset: 0, length: 12 * 1024 * 1024)
        for try await chunk in first { try await writer.write(chunk) }
        try await writer.close()
        #expect(try await driver.client.listParts(key: driver.keys.key(path),
                                                  uploadID: driver.client.listMultipartUploads(prefix: driver.keys.key(path))[0].uploadID).count == 2)

        let restartedClient = S3Client(configuration: driver.client.configuration)
        defer { Task { try? await restartedClient.shutdown() } }
        let resumedDriver = try S3StorageDriver(client: restartedClient, rootDirectory: driver.rootDirectory, partSize: driver.partSize)
        let resumed = try await resumedDriver.writer(path, append: true)
        #expect(resumed.size == first.length)
        for try await chunk in PatternBytes(offset: first.length, length: 1000) { try await resumed.write(chunk) }
        try await resumed.commit()
        let (digest, count, _) = try await streamedDigest(try await resumedDriver.reader(path, offset: 0, length: nil))
        #expect(count == first.length + 1000)
        #expect(digest == (try await PatternBytes(offset: 0, length: first.length + 1000).sha256()))
        #expect(try await driver.client.listAllObjects(prefix: driver.keys.directoryPrefix(.root) + ".zot-authz-pending/").isEmpty)
    }

    @Test("A chunksize below 5 MiB is refused")
    func smallPartSize() async throws {
        let client = try await Self.sharedClient.value
        #expect(throws: S3Error.self) { try S3StorageDriver(client: client, rootDirectory: "/", partSize: 1024) }
    }
}

@Suite("S3 settings to client configuration")
struct S3SettingsMappingTests {
    @Test("Zot's settings become endpoint, addressing, credentials, SSE-KMS and storage class")
    func mapping() throws {
        let settings = S3DriverSettings(rootDirectory: "/zot", region: "us-east-2", regionEndpoint: "localhost:4566",
                                        bucket: "zot-storage", forcePathStyle: true, secure: false, accessKey: "A", secretKey: "S",
                                        chunkSize: 6 * 1024 * 1024, storageClass: "STANDARD_IA", encrypt: true, keyID: "kms-key")
        let configuration = try S3Configuration(settings: settings, credentialsProvider: AWSCredentialsProvider(environment: [:]))
        #expect(configuration.endpoint == S3Endpoint(scheme: "http", host: "localhost", port: 4566))
        #expect(configuration.forcePathStyle)
        #expect(configuration.credentials == AWSCredentials(accessKeyID: "A", secretAccessKey: "S"))
        #expect(configuration.serverSideEncryption == .kms(keyID: "kms-key"))
        #expect(configuration.storageClass == "STANDARD_IA")
        let aws = try S3Configuration(settings: S3DriverSettings(region: "eu-west-1", bucket: "b", encrypt: true),
                                      credentialsProvider: AWSCredentialsProvider(environment: ["AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "s"]))
        #expect(aws.endpoint == S3Endpoint(scheme: "https", host: "s3.eu-west-1.amazonaws.com"))
        #expect(aws.serverSideEncryption == .aes256)
        #expect(aws.credentials.accessKeyID == "E")
    }
}
