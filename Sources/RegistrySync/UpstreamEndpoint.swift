import Foundation

/// One upstream URL of a sync registry entry: `scheme://host[:port]`, with Docker Hub's aliases resolved.
public struct UpstreamEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int?
    /// Whether this is Docker Hub (`docker.io`, `index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`).
    public let isDockerHub: Bool

    static let dockerHubHosts: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]

    /// Parses a URL the config loader has already validated; nil when it is not `http(s)://host[:port]`.
    public init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host?.lowercased(), !host.isEmpty else { return nil }
        self.scheme = scheme
        self.isDockerHub = Self.dockerHubHosts.contains(host)
        // Docker Hub's API lives on registry-1.docker.io whichever alias the config names.
        self.host = isDockerHub ? "registry-1.docker.io" : host
        self.port = components.port
    }

    /// `scheme://host[:port]`, the base of every API URL.
    public var base: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(scheme)://\(hostPart):\($0)" } ?? "\(scheme)://\(hostPart)"
    }

    public var description: String { base }

    /// Credentials-file keys to try, most specific first (Docker Hub's logins are usually filed under `docker.io`).
    var credentialKeys: [(host: String, port: Int?)] {
        var keys: [(String, Int?)] = [(host, port)]
        if isDockerHub { keys += [("docker.io", nil), ("index.docker.io", nil), ("registry-1.docker.io", nil)] }
        return keys
    }
}
