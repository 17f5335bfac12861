import Testing
@testable import RegistryS3

@Suite("S3 endpoint and addressing")
struct S3EndpointTests {
    @Test("An endpoint without scheme takes it from secure, as in Zot's localhost:4566 examples")
    func schemeFromSecure() throws {
        #expect(try S3Endpoint(parsing: "localhost:4566", secure: false) == S3Endpoint(scheme: "http", host: "localhost", port: 4566))
        #expect(try S3Endpoint(parsing: "minio.example.com", secure: true) == S3Endpoint(scheme: "https", host: "minio.example.com"))
    }

    @Test("An endpoint with a scheme keeps it whatever secure says")
    func explicitScheme() throws {
        #expect(try S3Endpoint(parsing: "http://127.0.0.1:9000/", secure: true) == S3Endpoint(scheme: "http", host: "127.0.0.1", port: 9000))
        #expect(try S3Endpoint(parsing: "https://[::1]:9000", secure: false) == S3Endpoint(scheme: "https", host: "::1", port: 9000))
        #expect(try S3Endpoint(parsing: "https://[::1]:9000", secure: false).authority == "[::1]:9000")
    }

    @Test("Endpoints with a path, bad port or foreign scheme are refused with the reason", arguments: [
        "ftp://host", "host:99999", "host:abc", "http://host/path", "user@host", "", "http://",
    ])
    func badEndpoints(_ text: String) {
        #expect(throws: S3Error.self) { try S3Endpoint(parsing: text, secure: true) }
    }

    @Test("The default port is left out of the Host authority")
    func defaultPort() {
        #expect(S3Endpoint(scheme: "https", host: "h", port: 443).authority == "h")
        #expect(S3Endpoint(scheme: "http", host: "h", port: 443).authority == "h:443")
    }

    @Test("Path style puts the bucket in the path, virtual-host style in the host name")
    func addressingStyles() {
        let credentials = AWSCredentials(accessKeyID: "a", secretAccessKey: "b")
        let pathStyle = S3Client(configuration: S3Configuration(
            bucket: "bkt", region: "us-east-1", endpoint: S3Endpoint(scheme: "http", host: "localhost", port: 4566),
            forcePathStyle: true, credentials: credentials))
        defer { Task { try? await pathStyle.shutdown() } }
        let path = pathStyle.location(key: "zot/zot/a b", query: [("uploads", "")])
        #expect(path.url == "http://localhost:4566/bkt/zot/zot/a%20b?uploads=")
        #expect(path.host == "localhost:4566")

        let virtual = S3Client(configuration: S3Configuration(bucket: "bkt", region: "eu-west-1", credentials: credentials))
        defer { Task { try? await virtual.shutdown() } }
        let host = virtual.location(key: "k", query: [])
        #expect(host.url == "https://bkt.s3.eu-west-1.amazonaws.com/k")
        #expect(host.path == "/k")
    }

    @Test("Encryption and storage class become the S3 request headers")
    func creationHeaders() {
        var configuration = S3Configuration(bucket: "b", region: "r", credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "s"))
        #expect(configuration.objectCreationHeaders.isEmpty)
        configuration.storageClass = "STANDARD"
        configuration.serverSideEncryption = .kms(keyID: "arn:key")
        let headers = configuration.objectCreationHeaders.map { "\($0.name)=\($0.value)" }
        #expect(headers == ["x-amz-server-side-encryption=aws:kms", "x-amz-server-side-encryption-aws-kms-key-id=arn:key"])
    }
}

@Suite("AWS credentials provider")
struct AWSCredentialsProviderTests {
    static let file = """
    # comment
    [default]
    aws_access_key_id = DEFAULTKEY
    aws_secret_access_key = defaultsecret

    [profile ci]
    aws_access_key_id=CIKEY
    aws_secret_access_key=cisecret
    aws_session_token = citoken
    """

    func provider(_ environment: [String: String], file: String? = Self.file) -> AWSCredentialsProvider {
        AWSCredentialsProvider(environment: environment, readFile: { path in path == "/home/u/.aws/credentials" ? file : nil })
    }

    @Test("Config keys win over the environment and the credentials file")
    func configFirst() throws {
        let found = try provider(["HOME": "/home/u", "AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "env"])
            .resolve(accessKey: "CFG", secretKey: "cfg", sessionToken: "tok")
        #expect(found == AWSCredentials(accessKeyID: "CFG", secretAccessKey: "cfg", sessionToken: "tok"))
    }

    @Test("Without config keys the environment is used, session token included")
    func environmentSecond() throws {
        let found = try provider(["HOME": "/home/u", "AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "env",
                                  "AWS_SESSION_TOKEN": "envtok"]).resolve(accessKey: "", secretKey: "")
        #expect(found == AWSCredentials(accessKeyID: "ENV", secretAccessKey: "env", sessionToken: "envtok"))
    }

    @Test("Without either, ~/.aws/credentials is read for AWS_PROFILE or default")
    func sharedFileLast() throws {
        #expect(try provider(["HOME": "/home/u"]).resolve() == AWSCredentials(accessKeyID: "DEFAULTKEY", secretAccessKey: "defaultsecret"))
        #expect(try provider(["HOME": "/home/u", "AWS_PROFILE": "ci"]).resolve()
                == AWSCredentials(accessKeyID: "CIKEY", secretAccessKey: "cisecret", sessionToken: "citoken"))
    }

    @Test("Half a key pair, an unknown profile or no source at all is an error that says what to set")
    func errors() {
        #expect(throws: S3Error.invalidConfiguration("accesskey is set but secretkey is not")) {
            try provider([:]).resolve(accessKey: "A")
        }
        #expect(throws: S3Error.invalidConfiguration("/home/u/.aws/credentials has no profile \"nope\"")) {
            try provider(["HOME": "/home/u", "AWS_PROFILE": "nope"]).resolve()
        }
        do {
            _ = try provider(["HOME": "/home/u"], file: nil).resolve()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("AWS_ACCESS_KEY_ID"))
        }
    }
}
