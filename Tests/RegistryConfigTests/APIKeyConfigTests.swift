import Testing
@testable import RegistryConfig

@Suite("http.auth.apikey")
struct APIKeyConfigTests {
    @Test("Zot's boolean form enables API keys without a lifetime cap")
    func booleanForm() throws {
        let config = try ConfigLoader.parse(minimalYAML("http:\n  auth:\n    apikey: true\n"), format: .yaml)
        #expect(config.http.auth?.apikey == true)
        #expect(config.http.auth?.apikeyMaxLifetimeSeconds == nil)
    }

    @Test("The object form enables API keys and caps their lifetime with a Go duration")
    func objectForm() throws {
        let config = try ConfigLoader.parse(minimalYAML("http:\n  auth:\n    apikey:\n      maxLifetime: 720h\n"), format: .yaml)
        #expect(config.http.auth?.apikey == true)
        #expect(config.http.auth?.apikeyMaxLifetimeSeconds == 2_592_000.0)
    }

    @Test("A bad lifetime or an unknown key in the object form is reported with its path")
    func badObjectForm() {
        let found = messagesByPath(minimalYAML("http:\n  auth:\n    apikey:\n      enable: true\n      maxLifetime: forever\n      ttl: 1h\n"))
        #expect(found["http.auth.apikey.maxLifetime"]?.contains("is not a duration") == true)
        #expect(found["http.auth.apikey.ttl"]?.hasPrefix("unknown key") == true)
    }

    @Test("The object form can keep API keys disabled")
    func disabledObject() throws {
        let config = try ConfigLoader.parse(minimalYAML("http:\n  auth:\n    apikey: {enable: false}\n"), format: .yaml)
        #expect(config.http.auth?.apikey == false)
    }
}
