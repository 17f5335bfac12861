import Foundation

/// Zot's `http.auth.sessionKeysFile`: JSON `{"hashKey": "…", "encryptKey": "…"}`.
///
/// Zot uses the UTF-8 bytes of `hashKey` to sign its session cookies; here they become the pepper of
/// ``SessionStore`` (`encryptKey` is accepted and ignored: sessions are server-side, nothing is encrypted).
public enum SessionKeysFile {
    /// The shortest hash key accepted, in bytes.
    public static let minimumHashKeyLength = 32
    private static let maximumFileSize = 64 * 1024

    /// Why the file could not be used.
    public enum LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The file could not be read.
        case unreadable(path: String, reason: String)
        /// The file is not a JSON object with a string `hashKey`.
        case invalidFormat(path: String, reason: String)
        /// `hashKey` is shorter than ``minimumHashKeyLength`` bytes.
        case hashKeyTooShort(path: String, length: Int)

        public var description: String {
            switch self {
            case let .unreadable(path, reason):
                "cannot read the session keys file '\(path)': \(reason)"
            case let .invalidFormat(path, reason):
                "the session keys file '\(path)' is invalid: \(reason) (expected {\"hashKey\": \"…\", \"encryptKey\": \"…\"})"
            case let .hashKeyTooShort(path, length):
                "the session keys file '\(path)' has a hashKey of \(length) bytes; at least \(SessionKeysFile.minimumHashKeyLength) are required"
            }
        }
    }

    private struct Contents: Decodable {
        let hashKey: String
        let encryptKey: String?
    }

    /// Reads `path` and returns the bytes of its `hashKey`.
    ///
    /// - Throws: ``LoadError`` (the message names the path, never the key).
    public static func load(path: String) throws(LoadError) -> [UInt8] {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maximumFileSize {
                throw LoadError.invalidFormat(path: path, reason: "the file is larger than \(maximumFileSize) bytes")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as LoadError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw .invalidFormat(path: path, reason: "not a JSON object with a string \"hashKey\"")
        }
        let key = Array(contents.hashKey.utf8)
        guard key.count >= minimumHashKeyLength else { throw .hashKeyTooShort(path: path, length: key.count) }
        return key
    }
}
