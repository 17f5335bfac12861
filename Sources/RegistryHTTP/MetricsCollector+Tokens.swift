import Prometheus

extension RegistryMetrics {
    /// A registry token issued by the token service: `grant` is `get`, `password`, `refresh_token` or
    /// `token-exchange`; `identityMethod` how the caller authenticated (`anonymous`, `htpasswd`, `bearer`, …).
    func countTokenIssued(grant: String, identityMethod: String) {
        registry.makeCounter(descriptor: Self.tokensIssued, labels: [("grant", grant), ("method", identityMethod)]).increment()
    }

    /// A token request refused for bad credentials, by grant.
    func countTokenRefused(grant: String) {
        registry.makeCounter(descriptor: Self.tokensRefused, labels: [("grant", grant)]).increment()
    }

    private static var tokensIssued: MetricNameDescriptor {
        name("tokens_issued", unit: "total", "Registry tokens issued by the token service, by grant and caller authentication method.")
    }
    private static var tokensRefused: MetricNameDescriptor {
        name("tokens_refused", unit: "total", "Token requests refused for bad credentials, by grant.")
    }
}
