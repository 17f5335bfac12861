import AsyncHTTPClient
import Logging
import RegistryConfig

/// One `extensions.sync.registries[]` entry made runnable: its settings, its content mapping and one client per URL
/// (tried in order).
public struct SyncedRegistry: Sendable {
    public let settings: SyncRegistryConfig
    public let mapper: SyncContentMapper
    public let clients: [UpstreamClient]

    /// Builds the clients over `http` (one AsyncHTTPClient per entry, living as long as the process).
    public init(settings: SyncRegistryConfig, http: HTTPClient, credentials: CredentialsFileSource, logger: Logger) {
        let endpoints = settings.urls.compactMap(UpstreamEndpoint.init)
        self.settings = settings
        self.mapper = SyncContentMapper(settings.content, upstreamIsDockerHub: endpoints.first?.isDockerHub ?? false)
        self.clients = endpoints.map { UpstreamClient(endpoint: $0, http: http, settings: settings, credentials: credentials, logger: logger) }
    }
}
