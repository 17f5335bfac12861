import Hummingbird
import NIOCore
import RegistryCore

/// Per-request state carried through the middleware pipeline: who the caller is, where they
/// connect from, and the channel (for the TLS peer certificate).
public struct RegistryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection, used to read the verified mTLS peer certificate.
    public let channel: any Channel
    /// The authenticated identity; anonymous until authentication says otherwise.
    public var identity: Identity = .anonymous
    /// The client's address after trusted-proxy handling (set by the rate limiter).
    public var clientAddress: String
    /// The request path as a registry endpoint, parsed once (by the first middleware).
    public var endpoint: ParsedEndpoint = .notRegistry
    /// Set when a manifest PUT was authorized as `create` only: the tag must not exist when written.
    public var tagMustBeNew = false
    /// Set when a manifest PUT to an existing tag lacks `update` but has `create`: only a re-push of the manifest the
    /// tag already points to is accepted (a no-op, so CI retries succeed); anything else is denied with this message.
    public var identicalRepushOnly: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        clientAddress = Self.ipText(source.channel.remoteAddress)
    }

    /// Manifests and API bodies are collected up to this size; blobs stream and are not limited by it.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }

    static func ipText(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        return address.ipAddress ?? "unix"
    }
}
