import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Syntax checks for addresses, URLs and files named in a config.
enum NetworkSyntax {
    /// True for a literal IPv4 or IPv6 address.
    static func isIPAddress(_ text: String) -> Bool {
        guard !text.utf8.contains(0) else { return false }
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        return inet_pton(AF_INET, text, &ipv4) == 1 || inet_pton(AF_INET6, text, &ipv6) == 1
    }

    /// True for an RFC 1123 host name (letters, digits, hyphens; labels of 1-63; at most 253 characters).
    static func isHostName(_ text: String) -> Bool {
        let name = text.hasSuffix(".") ? String(text.dropLast()) : text
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            label.utf8.count >= 1 && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }

    /// True for an IP address or `address/prefix` with a prefix length valid for its family.
    static func isIPAddressOrCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, isIPAddress(String(parts[0])) else { return false }
        guard parts.count == 2 else { return true }
        let maximumPrefix = parts[0].contains(":") ? 128 : 32
        guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let prefix = Int(parts[1]) else { return false }
        return (0...maximumPrefix).contains(prefix)
    }

    /// True for an absolute `http`/`https` URL with a host.
    static func isHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            return false
        }
        return true
    }

    /// Why a file named in the config cannot be used, or nil when it is a readable regular file.
    static func fileProblem(_ path: String) -> String? {
        guard !path.isEmpty else { return "the file name is empty" }
        guard !path.utf8.contains(0) else { return "\(ConfigPath.quote(path, limit: 512)) contains a NUL character" }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "file \(ConfigPath.quote(path, limit: 512)) does not exist"
        }
        guard !isDirectory.boolValue else { return "\(ConfigPath.quote(path, limit: 512)) is a directory, not a file" }
        guard FileManager.default.isReadableFile(atPath: path) else {
            return "file \(ConfigPath.quote(path, limit: 512)) is not readable"
        }
        return nil
    }
}

extension ProblemCollector {
    /// Reports `node` unless it names a readable file.
    func checkReadableFile(_ path: String, at node: ConfigPath) {
        guard checksFiles else { return }
        if let problem = NetworkSyntax.fileProblem(path) { error(node, problem) }
    }
}
