import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("The API key API (/zot/auth/apikey)")
struct AccountAPITests {
    @Test("A password user creates a key (201, zak_ secret, uuid), lists it without the secret, and revokes it once")
    func createListRevoke() async throws {
        try await withAccountRegistry { client, _ in
            var uuid = ""
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: accountUser("alice") + jsonContent,
                                     body: buffer(#"{"label":"laptop","expirationDate":"2099-01-31T00:00:00Z"}"#)) { response in
                #expect(response.status == .created)
                #expect(response.header("Cache-Control") == "no-store")
                let secret = response.json?["apiKey"] as? String ?? ""
                #expect(secret.hasPrefix("zak_") && secret.count == 68)
                uuid = response.json?["uuid"] as? String ?? ""
                #expect(UUID(uuidString: uuid) != nil)
                #expect(response.json?["label"] as? String == "laptop")
                #expect((response.json?["expirationDate"] as? String)?.hasPrefix("2099-01-31T00:00:00") == true)
            }
            try await client.execute(uri: "/zot/auth/apikey", method: .get, headers: accountUser("alice")) { response in
                #expect(response.status == .ok)
                let keys = response.json?["apiKeys"] as? [[String: Any]] ?? []
                #expect(keys.count == 1)
                #expect(keys.first?["uuid"] as? String == uuid)
                #expect(keys.first?["apiKey"] == nil)
                #expect(!response.text.contains("zak_"))
            }
            try await client.execute(uri: "/zot/auth/apikey", method: .get, headers: accountUser("bob")) { response in
                #expect(response.status == .ok)
                #expect((response.json?["apiKeys"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/zot/auth/apikey?id=\(uuid)", method: .delete, headers: accountUser("bob")) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/zot/auth/apikey?id=\(uuid)", method: .delete, headers: accountUser("alice")) { response in
                #expect(response.status == .ok)
                #expect(response.json?["revoked"] as? Int == 1)
            }
            try await client.execute(uri: "/zot/auth/apikey?id=\(uuid)", method: .delete, headers: accountUser("alice")) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("A body that is not JSON-typed is refused with 415")
    func wrongContentType() async throws {
        try await withAccountRegistry { client, _ in
            for contentType in ["application/x-www-form-urlencoded", "text/plain"] {
                try await client.execute(uri: "/zot/auth/apikey", method: .post,
                                         headers: accountUser("alice") + [.contentType: contentType],
                                         body: buffer(#"{"label":"x"}"#)) { response in
                    #expect(response.status == .unsupportedMediaType)
                }
            }
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: accountUser("alice"),
                                     body: buffer(#"{"label":"x"}"#)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test("Invalid creation requests are 400 with a message naming the field", arguments: [
        ("not json", "label, expirationDate, scopes"),
        (#"{"label":5}"#, "label, expirationDate, scopes"),
        (#"{"expirationDate":"2099-01-01T00:00:00Z"}"#, "label: required"),
        (#"{"label":"x","expirationDate":"tomorrow"}"#, "expirationDate"),
        (#"{"label":"x","expirationDate":"2001-01-01T00:00:00Z"}"#, "expiry must be in the future"),
        (#"{"label":"x","scopes":[{"repositories":"team/**","actions":["push"]}]}"#, "scopes[0].actions"),
        (#"{"label":"x","scopes":[{"repositories":"team-[a/**","actions":["read"]}]}"#, "scopes[0].repositories"),
        (#"{"label":"x","scopes":[{"repositories":"team/**","actions":[]}]}"#, "grants no actions"),
    ])
    func invalidBodies(_ body: String, _ fieldMention: String) async throws {
        try await withAccountRegistry { client, fixture in
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: accountUser("alice") + jsonContent,
                                     body: buffer(body)) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains(fieldMention), "\(response.text)")
            }
            #expect(try fixture.keys.list(owner: "alice").isEmpty)
        }
    }

    @Test("RFC 3339 expiry dates with an offset or fractional seconds are accepted", arguments: [
        ("2099-01-31T02:00:00+02:00", "2099-01-31T00:00:00"),
        ("2099-01-31T00:00:00.250Z", "2099-01-31T00:00:00"),
    ])
    func expiryFormats(_ date: String, _ expectedUTC: String) async throws {
        try await withAccountRegistry { client, _ in
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: accountUser("alice") + jsonContent,
                                     body: buffer(#"{"label":"x","expirationDate":"\#(date)"}"#)) { response in
                #expect(response.status == .created, "\(response.text)")
                #expect((response.json?["expirationDate"] as? String)?.hasPrefix(expectedUTC) == true)
            }
        }
    }

    @Test("Zot's plain-string scopes are accepted as repository patterns and enforced")
    func zotStringScopes() async throws {
        try await withAccountRegistry { client, _ in
            let key = try await client.createAPIKey(as: "alice", body: #"{"label":"zot","scopes":["team/**"]}"#)
            let viaKey = basicAuthorization("alice", key.secret)
            #expect(try await client.pushBlob("team/app", Array("in scope".utf8), headers: viaKey).status == .created)
            try await client.execute(uri: "/v2/other/app/blobs/uploads/", method: .post, headers: viaKey) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: accountUser("alice") + jsonContent,
                                     body: buffer(#"{"label":"zot","scopes":["team-[a"]}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains("scopes[0].repositories"))
            }
        }
    }

    @Test("Anonymous callers are 401 with a Basic challenge on every key operation", arguments: [
        HTTPRequest.Method.get, .post, .delete,
    ])
    func anonymousIsChallenged(_ method: HTTPRequest.Method) async throws {
        try await withAccountRegistry { client, _ in
            try await client.execute(uri: "/zot/auth/apikey?id=x", method: method, headers: jsonContent,
                                     body: buffer(#"{"label":"x"}"#)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.header("WWW-Authenticate") == "Basic realm=\"zot-authz-test\"")
            }
        }
    }

    @Test("An API key cannot create, list or revoke API keys (403)")
    func keyCannotManageKeys() async throws {
        try await withAccountRegistry { client, fixture in
            let key = try await client.createAPIKey(as: "alice")
            let viaKey = basicAuthorization("alice", key.secret)
            try await client.execute(uri: "/zot/auth/apikey", method: .post, headers: viaKey + jsonContent,
                                     body: buffer(#"{"label":"child"}"#)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/zot/auth/apikey", method: .get, headers: viaKey) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/zot/auth/apikey?id=\(key.uuid)", method: .delete, headers: viaKey) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try fixture.keys.list(owner: "alice").map(\.id) == [key.uuid])
        }
    }

    @Test("A key works as the Basic password on /v2 for its owner only, and stops working once revoked")
    func keyAuthenticatesOnRegistry() async throws {
        try await withAccountRegistry { client, _ in
            let key = try await client.createAPIKey(as: "alice")
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: basicAuthorization("alice", key.secret)) { response in
                #expect(response.status == .ok)
            }
            #expect(try await client.pushBlob("team/app", Array("pushed with a key".utf8),
                                              headers: basicAuthorization("alice", key.secret)).status == .created)
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: basicAuthorization("bob", key.secret)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/zot/auth/apikey?id=\(key.uuid)", method: .delete, headers: accountUser("alice")) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: basicAuthorization("alice", key.secret)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("A read-only scoped key can pull but not push, although its owner can push")
    func scopedKeyIsReadOnly() async throws {
        try await withAccountRegistry { client, _ in
            let key = try await client.createAPIKey(
                as: "bob", body: #"{"label":"pull","scopes":[{"repositories":"team/**","actions":["read"]}]}"#)
            let viaKey = basicAuthorization("bob", key.secret)
            try await client.execute(uri: "/v2/team/app/blobs/uploads/", method: .post, headers: viaKey) { response in
                #expect(response.status == .forbidden)
                #expect(ociErrorCodes(response) == ["DENIED"])
            }
            let layer = Array("bob's layer".utf8)
            #expect(try await client.pushBlob("team/app", layer, headers: accountUser("bob")).status == .created)
            try await client.execute(uri: "/v2/team/app/blobs/\(Digest.of(layer))", method: .get, headers: viaKey) { response in
                #expect(response.status == .ok)
                #expect(response.bytes == layer)
            }
            try await client.execute(uri: "/v2/other/app/blobs/\(Digest.of(layer))", method: .get, headers: viaKey) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("An admin revokes all keys of another user and gets the count; a non-admin is 403")
    func adminRevokesAll() async throws {
        try await withAccountRegistry { client, fixture in
            _ = try await client.createAPIKey(as: "bob")
            _ = try await client.createAPIKey(as: "bob", body: #"{"label":"second"}"#)
            let aliceKey = try await client.createAPIKey(as: "alice")
            try await client.execute(uri: "/zot/auth/apikey?username=bob", method: .delete, headers: accountUser("alice")) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try fixture.keys.list(owner: "bob").count == 2)
            try await client.execute(uri: "/zot/auth/apikey?username=bob", method: .delete, headers: accountUser("admin")) { response in
                #expect(response.status == .ok)
                #expect(response.json?["revoked"] as? Int == 2)
            }
            #expect(try fixture.keys.list(owner: "bob").isEmpty)
            #expect(try fixture.keys.list(owner: "alice").map(\.id) == [aliceKey.uuid])
            let events = try fixture.auditEvents().filter { $0["event"] as? String == "apikey-revoke-all" }
            #expect(events.map { $0["result"] as? String } == ["deny", "allow"])
        }
    }

    @Test("Creation and revocation are audited with the key's uuid and never its secret")
    func auditRecordsKeyEvents() async throws {
        try await withAccountRegistry { client, fixture in
            let key = try await client.createAPIKey(as: "alice")
            try await client.execute(uri: "/v2/_catalog", method: .get, headers: basicAuthorization("alice", key.secret)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/zot/auth/apikey?id=\(key.uuid)", method: .delete, headers: accountUser("alice")) { response in
                #expect(response.status == .ok)
            }
            let events = try fixture.auditEvents()
            let create = events.first { $0["event"] as? String == "apikey-create" }
            let revoke = events.first { $0["event"] as? String == "apikey-revoke" }
            #expect(create?["credentialId"] as? String == key.uuid)
            #expect(create?["user"] as? String == "alice")
            #expect(create?["result"] as? String == "allow")
            #expect(revoke?["credentialId"] as? String == key.uuid)
            #expect(revoke?["user"] as? String == "alice")
            let keyUse = events.first { $0["authMethod"] as? String == "apikey" && $0["event"] == nil }
            #expect(keyUse?["credentialId"] as? String == key.uuid)
            let text = try fixture.auditText()
            #expect(!text.contains(key.secret))
            #expect(!text.contains(String(key.secret.dropFirst(4).prefix(16))))
        }
    }
}
