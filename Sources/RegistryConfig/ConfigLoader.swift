import Foundation

/// Loads Zot config files (JSON or YAML) strictly: unknown keys, bad values and missing referenced files are all
/// reported together, each with its path.
public enum ConfigLoader {
    /// Files larger than this are refused before parsing.
    public static let maximumFileSize = 4 * 1024 * 1024

    /// Reads and validates the config at `path`; the format follows the extension (`.json`, `.yaml`/`.yml`,
    /// otherwise JSON then YAML).
    ///
    /// - Parameter checkingFiles: whether files the config names (htpasswd, certificates, credentials) must be
    ///   readable; `false` for tools that read only the policy (`zot-authz test`).
    public static func load(path: String, checkingFiles: Bool = true) throws(ConfigError) -> ZotConfig {
        let text = try readText(path: path)
        return try parse(text, format: ConfigFormat(fileName: path), checkingFiles: checkingFiles)
    }

    /// Parses and validates config text.
    public static func parse(_ text: String, format: ConfigFormat, checkingFiles: Bool = true) throws(ConfigError) -> ZotConfig {
        try ConfigMapper.map(parseTree(text, format: format), checkingFiles: checkingFiles)
    }

    static func parseTree(_ text: String, format: ConfigFormat) throws(ConfigError) -> ConfigNode {
        guard text.utf8.count <= maximumFileSize else {
            throw ConfigError(path: "(file)", message: "the config is larger than \(maximumFileSize) bytes")
        }
        switch format {
        case .json:
            return try JSONTreeParser.parse(text)
        case .yaml:
            return try YAMLTreeParser.parse(text)
        case .automatic:
            do {
                return try JSONTreeParser.parse(text)
            } catch let jsonError {
                do {
                    return try YAMLTreeParser.parse(text)
                } catch let yamlError {
                    // Text that starts like JSON gets JSON's (more precise) error.
                    let firstCharacter = text.unicodeScalars.first { !$0.properties.isWhitespace }
                    throw firstCharacter == "{" ? jsonError : yamlError
                }
            }
        }
    }

    private static func readText(path: String) throws(ConfigError) -> String {
        guard !path.utf8.contains(0) else {
            throw ConfigError(path: "(file)", message: "the file name contains a NUL character")
        }
        if let problem = NetworkSyntax.fileProblem(path) {
            throw ConfigError(path: "(file)", message: problem)
        }
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? NSNumber, size.intValue > maximumFileSize {
                throw ConfigError(path: "(file)", message: "the config is larger than \(maximumFileSize) bytes")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(path: "(file)", message: "cannot read \(ConfigPath.quote(path, limit: 512)): \(error.localizedDescription)")
        }
        guard data.count <= maximumFileSize else {
            throw ConfigError(path: "(file)", message: "the config is larger than \(maximumFileSize) bytes")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: "(file)", message: "the file is not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }
}
