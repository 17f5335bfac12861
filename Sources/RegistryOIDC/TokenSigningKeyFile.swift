import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The built-in token service's signing key on disk: a PEM P-256 private key, mode 0600. Created (with a fresh key)
/// when absent; refused when it is readable by group or others, or is not a P-256 private key.
public enum TokenSigningKeyFile {
    /// Why the key file cannot be used.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Loads the key at `path`, creating the file (and its directory, 0700) with a new key when it does not exist.
    public static func loadOrCreate(path: String) throws(Problem) -> P256.Signing.PrivateKey {
        if FileManager.default.fileExists(atPath: path) {
            return try load(path: path)
        }
        let key = P256.Signing.PrivateKey()
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw Problem(description: "cannot create \"\(directory)\": \(error.localizedDescription)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw Problem(description: "cannot create \"\(path)\": \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array(key.pemRepresentation.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw Problem(description: "cannot write \"\(path)\": \(String(cString: strerror(errno)))") }
        return key
    }

    /// Loads an existing key file; it must not be readable by group or others.
    public static func load(path: String) throws(Problem) -> P256.Signing.PrivateKey {
        var status = stat()
        guard stat(path, &status) == 0 else { throw Problem(description: "cannot read \"\(path)\": \(String(cString: strerror(errno)))") }
        guard status.st_mode & 0o077 == 0 else {
            throw Problem(description: "\"\(path)\" is accessible by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(description: "cannot read \"\(path)\": \(error.localizedDescription)")
        }
        do {
            return try P256.Signing.PrivateKey(pemRepresentation: text)
        } catch {
            throw Problem(description: "\"\(path)\" is not a PEM P-256 private key")
        }
    }
}
