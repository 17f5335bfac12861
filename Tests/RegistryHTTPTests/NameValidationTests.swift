import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Repository name and reference validation")
struct NameValidationTests {
    @Test("Invalid repository names are 400 NAME_INVALID with an OCI error body",
          arguments: [
              "/v2/UPPER/tags/list",
              "/v2/a/../b/tags/list",
              "/v2/a//b/tags/list",
              "/v2/-a/tags/list",
              "/v2/a_/manifests/latest",
              "/v2/Team/app/blobs/uploads/",
          ])
    func invalidNamesAreRejected(_ uri: String) async throws {
        try await withRegistry { client in
            let method: HTTPRequest.Method = uri.hasSuffix("/uploads/") ? .post : .get
            try await client.execute(uri: uri, method: method) { response in
                #expect(response.status == .badRequest, "\(uri)")
                #expect(ociErrorCodes(response) == ["NAME_INVALID"], "\(uri): \(response.text)")
            }
        }
    }

    @Test("A malformed digest in a blob path is 400 DIGEST_INVALID")
    func malformedBlobDigestIsRejected() async throws {
        try await withRegistry { client in
            for uri in ["/v2/app/blobs/sha256:abc", "/v2/app/blobs/md5:" + String(repeating: "0", count: 32),
                        "/v2/app/manifests/sha256:XYZ"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(ociErrorCodes(response) == ["DIGEST_INVALID"], "\(uri): \(response.text)")
                }
            }
        }
    }
}
