
/// Where and how to connect to the directory, derived from ``LDAPSettings``.
///
/// TLS flags combine as follows: `insecure: true` → plain `ldap://` (no TLS; `startTLS`, `skipVerify`,
/// `caCert` do not apply); `startTLS: true` → `ldap://` upgraded with the StartTLS extended operation before
/// anything else is sent (an upgrade failure is an error, never a fallback to plain text); neither →
/// `ldaps://` (TLS from the first byte). With TLS, the server certificate must chain to `caCert` (or the
/// system trust store when `caCert` is unset) and match `address`, unless `skipVerify: true`.
public struct LDAPEndpoint: Sendable, Hashable {
    /// How the connection is protected.
    public enum Transport: String, Sendable, Hashable {
        /// `ldap://` without TLS.
        case plain
        /// `ldaps://`: TLS from the start.
        case ldaps
        /// `ldap://` upgraded with StartTLS.
        case startTLS
    }

    /// The host name or IP address.
    public var address: String
    /// The TCP port.
    public var port: Int
    /// How the connection is protected.
    public var transport: Transport
    /// Whether the server certificate is accepted without verification (unsafe).
    public var skipVerify: Bool
    /// A PEM bundle of CAs that verify the server; `nil` = system default.
    public var caCertFile: String?
    /// The limit for connecting (TCP + TLS) and for each LDAP operation, in seconds.
    public var timeoutSeconds: Int

    /// Creates an endpoint.
    public init(address: String, port: Int, transport: Transport, skipVerify: Bool = false, caCertFile: String? = nil,
                timeoutSeconds: Int = 5) {
        self.address = address
        self.port = port
        self.transport = transport
        self.skipVerify = skipVerify
        self.caCertFile = caCertFile
        self.timeoutSeconds = max(1, timeoutSeconds)
    }

    /// The endpoint a Zot `http.auth.ldap` section describes.
    public init(config: LDAPSettings, timeoutSeconds: Int = 5) {
        let transport: Transport = config.insecure ? .plain : (config.startTLS ? .startTLS : .ldaps)
        self.init(address: config.address, port: config.port, transport: transport, skipVerify: config.skipVerify,
                  caCertFile: config.caCert, timeoutSeconds: timeoutSeconds)
    }

    /// The URI handed to `ldap_initialize`, e.g. `ldaps://127.0.0.1:636` (IPv6 addresses in brackets).
    public var uri: String {
        let scheme = transport == .ldaps ? "ldaps" : "ldap"
        let host = address.contains(":") && !address.hasPrefix("[") ? "[\(address)]" : address
        return "\(scheme)://\(host):\(port)"
    }

    /// Whether TLS protects the connection.
    public var usesTLS: Bool { transport != .plain }
}
