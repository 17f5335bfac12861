import Foundation
import Hummingbird
import NIOCore
import RegistryCore

/// Collects small request bodies (forms, JSON, manifests) with a size limit that answers 413 `SIZE_INVALID`.
///
/// A `Content-Length` over the limit is refused before anything is read; a body that grows past the limit
/// without declaring its length is refused as soon as it does.
enum BodyLimit {
    /// The body of `request`, at most `limit` bytes; `what` names it in the error ("the form", "the manifest").
    static func collect(_ request: inout Request, upTo limit: Int, what: String) async throws -> ByteBuffer {
        try refuseDeclaredOversize(request, limit: limit, what: what)
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit: limit, what: what)
        }
    }

    /// Throws 413 when the request declares a `Content-Length` above `limit` (or one that is not a number).
    static func refuseDeclaredOversize(_ request: Request, limit: Int, what: String) throws {
        guard let declared = request.headers[.contentLength] else { return }
        guard let length = Int(declared.trimmingCharacters(in: .whitespaces)), length >= 0 else {
            throw RegistryError(.sizeInvalid, status: 400, message: "Content-Length \(JSONText.quote(String(declared.prefix(32)))) is not a byte count")
        }
        if length > limit { throw tooLarge(limit: limit, what: what) }
    }

    static func tooLarge(limit: Int, what: String) -> RegistryError {
        RegistryError(.sizeInvalid, status: 413, message: "\(what) is larger than the limit of \(limit) bytes")
    }
}
