import RegistryCore
import RegistryHTTP
import Testing

@Suite("WWW-Authenticate challenges")
struct AuthenticationChallengeTests {
    let bearer = AuthenticationChallenge(tokenRealm: "https://r.test/auth/token", service: "r.test", basicRealm: "r.test")

    @Test("Basic ignores the request; Bearer names realm and service, and the scope only when a repository is named")
    func shapes() {
        let basic = AuthenticationChallenge(realm: "zot")
        let app = RepositoryName("team/app")!
        #expect(basic.headerValue(endpoint: .tagsList(app), method: "GET") == "Basic realm=\"zot\"")
        #expect(bearer.headerValue(endpoint: .base, method: "GET") == "Bearer realm=\"https://r.test/auth/token\",service=\"r.test\"")
        #expect(bearer.headerValue(endpoint: .catalog, method: "GET") == "Bearer realm=\"https://r.test/auth/token\",service=\"r.test\"")
        #expect(bearer.headerValue(endpoint: .tagsList(app), method: "GET")
            == "Bearer realm=\"https://r.test/auth/token\",service=\"r.test\",scope=\"repository:team/app:pull\"")
    }

    @Test("Uploads ask for pull,push, deletes for delete, and a mount also for pull on the source")
    func scopes() {
        let app = RepositoryName("team/app")!
        let base = RepositoryName("library/base")!
        #expect(AuthenticationChallenge.scopes(endpoint: .startUpload(app), method: "POST", mountSource: nil) == ["repository:team/app:pull,push"])
        #expect(AuthenticationChallenge.scopes(endpoint: .startUpload(app), method: "POST", mountSource: base)
            == ["repository:team/app:pull,push", "repository:library/base:pull"])
        #expect(AuthenticationChallenge.scopes(endpoint: .manifest(app, .tag("v1")), method: "PUT", mountSource: nil) == ["repository:team/app:pull,push"])
        #expect(AuthenticationChallenge.scopes(endpoint: .manifest(app, .tag("v1")), method: "DELETE", mountSource: nil) == ["repository:team/app:delete"])
    }
}
