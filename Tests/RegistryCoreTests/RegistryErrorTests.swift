import Foundation
import RegistryCore
import Testing

@Suite("RegistryError")
struct RegistryErrorTests {
    /// Decodes the single entry of an OCI error body, failing the test if it is not valid JSON.
    static func entry(_ error: RegistryError) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(error.jsonBody.utf8))
        let top = try #require(object as? [String: Any])
        #expect(top.count == 1)
        let errors = try #require(top["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        let first = try #require(errors.first)
        return first.compactMapValues { $0 as? String }
    }

    @Test("every code renders as a valid OCI error body with its spec message", arguments: RegistryErrorCode.allCases)
    func everyCode(code: RegistryErrorCode) throws {
        let entry = try Self.entry(RegistryError(code))
        #expect(entry == ["code": code.rawValue, "message": code.message])
    }

    @Test("details with quotes, backslashes, newlines and control characters stay valid JSON", arguments: [
        "plain", "say \"hi\"", "back\\slash", "line1\nline2\r\n", "tab\there", "nul\u{0}bell\u{7}esc\u{1b}",
        "\u{1f}", "unicode é ☃ 🚀", "</script>", "\u{2028}",
    ])
    func escaping(detail: String) throws {
        let entry = try Self.entry(RegistryError(.nameInvalid, message: "custom \"msg\"\n", detail: detail))
        #expect(entry["detail"] == detail)
        #expect(entry["message"] == "custom \"msg\"\n")
    }

    @Test("control characters are escaped, never emitted raw")
    func noRawControlCharacters() {
        let body = RegistryError(.unknown, detail: "a\u{1}b\nc").jsonBody
        #expect(!body.unicodeScalars.contains { $0.value < 0x20 })
        #expect(body.contains("\\u0001"))
    }

    @Test("codes map to the HTTP status clients expect", arguments: [
        (RegistryErrorCode.denied, 403), (.unauthorized, 401), (.nameUnknown, 404), (.tooManyRequests, 429),
        (.blobUnknown, 404), (.blobUploadUnknown, 404), (.manifestUnknown, 404), (.blobUploadInvalid, 400),
        (.digestInvalid, 400), (.manifestBlobUnknown, 400), (.manifestInvalid, 400), (.nameInvalid, 400),
        (.sizeInvalid, 400), (.unsupported, 405), (.rangeInvalid, 416), (.unavailable, 503), (.unknown, 500),
    ])
    func statuses(code: RegistryErrorCode, status: Int) {
        #expect(code.status == status)
        #expect(RegistryError(code).status == status)
    }

    @Test("an explicit status and message override the code's defaults")
    func overrides() {
        let error = RegistryError(.blobUploadInvalid, status: 416, message: "busy", detail: "d")
        #expect(error.status == 416)
        #expect(error.message == "busy")
        #expect(error.description == "BLOB_UPLOAD_INVALID (416): busy — d")
    }

    @Test("the detail key is omitted when there is no detail")
    func noDetail() {
        #expect(!RegistryError(.denied).jsonBody.contains("detail"))
    }
}
