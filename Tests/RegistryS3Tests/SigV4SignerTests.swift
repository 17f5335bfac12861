import Foundation
import Testing
@testable import RegistryS3

/// One case of AWS's SigV4 test suite: the request, and the texts the suite publishes for it.
struct SigV4Vector: CustomTestStringConvertible, Sendable {
    var name: String
    var method = "GET"
    var path = "/"
    var query: [(name: String, value: String)] = []
    var headers: [(name: String, value: String)] = []
    var sessionToken: String?
    var payloadHash = SigV4Signer.emptyPayloadHash
    var canonicalRequest: String
    var stringToSignHash: String
    var signature: String
    var testDescription: String { name }
}

/// Vectors of the AWS Signature Version 4 test suite ("aws-sig-v4-test-suite", published by AWS in the
/// General Reference "Signature Version 4 test suite" and carried by awslabs/aws-c-auth under
/// tests/aws-signing-test-suite/v4): credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
/// 2015-08-30T12:36:00Z, us-east-1, service "service". The normalize-path cases appear in their
/// unnormalized form, because S3 signs the path as written (no `..` or `//` folding, no double encoding).
let awsSuiteVectors: [SigV4Vector] = {
    func creq(_ method: String = "GET", _ path: String = "/", _ query: String = "", extra: [String] = [],
              signed: String = "host;x-amz-date", payload: String = SigV4Signer.emptyPayloadHash) -> String {
        var headers = ["host:example.amazonaws.com", "x-amz-date:20150830T123600Z"] + extra
        headers.sort()
        return ([method, path, query] + headers + ["", signed, payload]).joined(separator: "\n")
    }
    return [
        SigV4Vector(name: "get-vanilla", canonicalRequest: creq(),
                    stringToSignHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
                    signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SigV4Vector(name: "post-vanilla", method: "POST", canonicalRequest: creq("POST"),
                    stringToSignHash: "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
                    signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SigV4Vector(name: "get-vanilla-query-order-key-case", query: [("Param2", "value2"), ("Param1", "value1")],
                    canonicalRequest: creq("GET", "/", "Param1=value1&Param2=value2"),
                    stringToSignHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
                    signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SigV4Vector(name: "get-vanilla-query-order-encoded",
                    query: [("Param-3", "Value3"), ("Param", "Value2"), ("\u{1234}", "Value1")],
                    canonicalRequest: creq("GET", "/", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"),
                    stringToSignHash: "868294f5c38bd141c4972a373a76654f1418a8e4fc18b2e7903ae45e8ae0ec71",
                    signature: "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
        SigV4Vector(name: "get-vanilla-utf8-query", query: [("\u{1234}", "bar")],
                    canonicalRequest: creq("GET", "/", "%E1%88%B4=bar"),
                    stringToSignHash: "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
                    signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        SigV4Vector(name: "get-utf8", path: "/\u{1234}", canonicalRequest: creq("GET", "/%E1%88%B4"),
                    stringToSignHash: "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
                    signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        SigV4Vector(name: "get-unreserved", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                    canonicalRequest: creq("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
                    stringToSignHash: "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
                    signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        SigV4Vector(name: "normalize-path/get-space (unnormalized)", path: "/example space/",
                    canonicalRequest: creq("GET", "/example%20space/"),
                    stringToSignHash: "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
                    signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        SigV4Vector(name: "normalize-path/get-slashes (unnormalized)", path: "//example//",
                    canonicalRequest: creq("GET", "//example//"),
                    stringToSignHash: "528ec3105ee1f34ab014bb0a1a45da0ed2742a4fea3555149e5b4d5d201eb240",
                    signature: "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"),
        SigV4Vector(name: "normalize-path/get-relative (unnormalized)", path: "/example/..",
                    canonicalRequest: creq("GET", "/example/.."),
                    stringToSignHash: "0511f456aa502b456d135fcb9d749374a55228f9dbeedda1eacf659e05b0615b",
                    signature: "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282"),
        SigV4Vector(name: "get-header-key-duplicate",
                    headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
                    canonicalRequest: creq(extra: ["my-header1:value2,value2,value1"], signed: "host;my-header1;x-amz-date"),
                    stringToSignHash: "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
                    signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        SigV4Vector(name: "get-header-value-trim", headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
                    canonicalRequest: creq(extra: ["my-header1:value1", "my-header2:\"a b c\""],
                                           signed: "host;my-header1;my-header2;x-amz-date"),
                    stringToSignHash: "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
                    signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        SigV4Vector(name: "post-header-value-case", method: "POST", headers: [("My-Header1", "VALUE1")],
                    canonicalRequest: creq("POST", extra: ["my-header1:VALUE1"], signed: "host;my-header1;x-amz-date"),
                    stringToSignHash: "d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93",
                    signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        SigV4Vector(name: "get-vanilla-with-session-token",
                    sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
                    canonicalRequest: creq(extra: ["x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"],
                                           signed: "host;x-amz-date;x-amz-security-token"),
                    stringToSignHash: "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
                    signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
        SigV4Vector(name: "post-x-www-form-urlencoded (aws-c-auth form, body Param1=value1)", method: "POST",
                    headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "13"),
                              ("x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")],
                    payloadHash: "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
                    canonicalRequest: creq("POST", extra: ["content-length:13", "content-type:application/x-www-form-urlencoded",
                                                           "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"],
                                           signed: "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
                                           payload: "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
                    stringToSignHash: "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
                    signature: "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
    ]
}()

@Suite("SigV4 signer")
struct SigV4SignerTests {
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160) // 2015-08-30T12:36:00Z
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600) // 2013-05-24T00:00:00Z
    static let s3Credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                              secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    @Test("Each AWS test-suite vector yields the published canonical request, string to sign and signature",
          arguments: awsSuiteVectors)
    func suiteVector(_ vector: SigV4Vector) {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                                             secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                             sessionToken: vector.sessionToken),
                                 region: "us-east-1", service: "service")
        let signed = signer.sign(method: vector.method, host: "example.amazonaws.com",
                                 path: S3URIEncoding.encode(vector.path, keepSlash: true), query: vector.query,
                                 headers: vector.headers, payloadHash: vector.payloadHash, date: Self.suiteDate)
        #expect(signed.canonicalRequest == vector.canonicalRequest)
        #expect(signed.stringToSign == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\(vector.stringToSignHash)")
        #expect(signed.signature == vector.signature)
        let signedHeaders = vector.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false).dropLast().last!
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(vector.signature)")
    }

    // The S3 examples below are from AWS's S3 API Reference, "Signature Calculations for the Authorization
    // Header: Transferring Payload in a Single Chunk" (examplebucket, AKIAIOSFODNN7EXAMPLE, 2013-05-24).

    @Test("The S3 GET object example with Range: bytes=0-9 signs as AWS's S3 reference publishes")
    func s3GetObjectWithRange() {
        let signed = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
            .sign(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                  headers: [("Range", "bytes=0-9")], payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(signed.canonicalRequest == """
        GET
        /test.txt

        host:examplebucket.s3.amazonaws.com
        range:bytes=0-9
        x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
        x-amz-date:20130524T000000Z

        host;range;x-amz-content-sha256;x-amz-date
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
        """)
        #expect(signed.stringToSign == """
        AWS4-HMAC-SHA256
        20130524T000000Z
        20130524/us-east-1/s3/aws4_request
        7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
        """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("The S3 PUT object example encodes $ in the key once and signs as published")
    func s3PutObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = Hex.sha256(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
            .sign(method: "PUT", host: "examplebucket.s3.amazonaws.com",
                  path: "/" + S3URIEncoding.encode("test$file.text", keepSlash: true),
                  headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
                  payloadHash: hash, date: Self.s3Date)
        #expect(signed.canonicalRequest.hasPrefix("PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"))
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test("The S3 GET bucket lifecycle example signs a valueless query parameter as name=")
    func s3GetLifecycle() {
        let signed = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
            .sign(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/", query: [("lifecycle", "")],
                  payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\nlifecycle=\n"))
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test("The S3 list objects example sorts max-keys before prefix")
    func s3ListObjects() {
        let signed = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
            .sign(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/",
                  query: [("prefix", "J"), ("max-keys", "2")], payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\nmax-keys=2&prefix=J\n"))
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("A streamed body is signed as UNSIGNED-PAYLOAD and the header says so")
    func unsignedPayload() {
        let signed = SigV4Signer(credentials: Self.s3Credentials, region: "eu-west-1")
            .sign(method: "PUT", host: "b.s3.amazonaws.com", path: "/k", payloadHash: SigV4Signer.unsignedPayload, date: Self.s3Date)
        #expect(signed.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(signed.headers.contains { $0.name == "x-amz-content-sha256" && $0.value == "UNSIGNED-PAYLOAD" })
        #expect(!signed.headers.contains { $0.name.lowercased() == "host" })
    }

    @Test("Object keys keep slashes and encode everything else outside the unreserved set exactly once")
    func keyEncoding() {
        #expect(S3URIEncoding.encode("zot/a b/%41+c=ä", keepSlash: true) == "zot/a%20b/%2541%2Bc%3D%C3%A4")
        #expect(S3URIEncoding.encode("a/b", keepSlash: false) == "a%2Fb")
    }

    @Test("Credentials never print their secret")
    func redactedDescription() {
        #expect(!"\(Self.s3Credentials)".contains("EXAMPLEKEY"))
    }
}
