import HTTPTypes
import HummingbirdTesting
import RegistryCore
import Testing

@Suite("Tag list, catalog and referrers")
struct ListingTests {
    /// Tags the same image under each name.
    static func tag(_ client: any TestClientProtocol, _ repository: String, _ tags: [String]) async throws {
        let image = TestImage(seed: repository)
        try await client.pushImage(repository, tags[0], image)
        for tag in tags.dropFirst() {
            let response = try await client.putManifest(repository, tag, image.manifest)
            #expect(response.status == .created)
        }
    }

    @Test("Tags are listed in lexical order with the repository name")
    func tagsInLexicalOrder() async throws {
        try await withRegistry { client in
            try await Self.tag(client, "lib/app", ["v2", "a", "v10", "b"])
            try await client.execute(uri: "/v2/lib/app/tags/list", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json?["name"] as? String == "lib/app")
                #expect(response.json?["tags"] as? [String] == ["a", "b", "v10", "v2"])
                #expect(response.header("Link") == nil)
            }
        }
    }

    @Test("Tags paginate with n and last, with a Link rel=\"next\" header until the end")
    func tagsPagination() async throws {
        try await withRegistry { client in
            try await Self.tag(client, "app", ["t1", "t2", "t3", "t4", "t5"])
            try await client.execute(uri: "/v2/app/tags/list?n=2", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json?["tags"] as? [String] == ["t1", "t2"])
                #expect(response.header("Link") == "</v2/app/tags/list?n=2&last=t2>; rel=\"next\"")
            }
            try await client.execute(uri: "/v2/app/tags/list?n=2&last=t2", method: .get) { response in
                #expect(response.json?["tags"] as? [String] == ["t3", "t4"])
                #expect(response.header("Link") == "</v2/app/tags/list?n=2&last=t4>; rel=\"next\"")
            }
            try await client.execute(uri: "/v2/app/tags/list?n=2&last=t4", method: .get) { response in
                #expect(response.json?["tags"] as? [String] == ["t5"])
                #expect(response.header("Link") == nil)
            }
            try await client.execute(uri: "/v2/app/tags/list?last=t3", method: .get) { response in
                #expect(response.json?["tags"] as? [String] == ["t4", "t5"])
            }
            try await client.execute(uri: "/v2/app/tags/list?n=0", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json?["tags"] as? [String] == [])
            }
        }
    }

    @Test("Tags of an unknown repository are 404 NAME_UNKNOWN")
    func unknownRepository() async throws {
        try await withRegistry { client in
            try await client.execute(uri: "/v2/nothing/here/tags/list", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(ociErrorCodes(response) == ["NAME_UNKNOWN"])
            }
        }
    }

    @Test("The catalog lists repositories in order and paginates with a Link header")
    func catalogPagination() async throws {
        try await withRegistry { client in
            for repository in ["zeta", "alpha", "team/beta"] {
                try await client.pushImage(repository, "v1", TestImage(seed: repository))
            }
            try await client.execute(uri: "/v2/_catalog", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json?["repositories"] as? [String] == ["alpha", "team/beta", "zeta"])
            }
            try await client.execute(uri: "/v2/_catalog?n=2", method: .get) { response in
                #expect(response.json?["repositories"] as? [String] == ["alpha", "team/beta"])
                #expect(response.header("Link") == "</v2/_catalog?n=2&last=team%2Fbeta>; rel=\"next\"")
            }
            try await client.execute(uri: "/v2/_catalog?n=2&last=team%2Fbeta", method: .get) { response in
                #expect(response.json?["repositories"] as? [String] == ["zeta"])
                #expect(response.header("Link") == nil)
            }
        }
    }

    @Test("Referrers list the manifests whose subject is the digest, as an image index with artifact types")
    func referrers() async throws {
        try await withRegistry { client in
            let base = TestImage(seed: "base")
            try await client.pushImage("app", "v1", base)
            let subject = (base.manifestDigest, base.manifest.count)
            let signature = TestImage(seed: "sig", subject: subject, artifactType: "application/example.signature")
            let sbom = TestImage(seed: "sbom", subject: subject, configMediaType: "application/example.sbom")
            try await client.pushImage("app", signature.manifestDigest.description, signature)
            try await client.pushImage("app", sbom.manifestDigest.description, sbom)

            try await client.execute(uri: "/v2/app/referrers/\(base.manifestDigest)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Type") == MediaType.ociIndex)
                #expect(response.header("OCI-Filters-Applied") == nil)
                #expect(response.json?["schemaVersion"] as? Int == 2)
                #expect(response.json?["mediaType"] as? String == MediaType.ociIndex)
                let manifests = try #require(response.json?["manifests"] as? [[String: Any]])
                let byDigest = Dictionary(uniqueKeysWithValues: manifests.map { ($0["digest"] as? String ?? "", $0) })
                #expect(Set(byDigest.keys) == [signature.manifestDigest.description, sbom.manifestDigest.description])
                #expect(byDigest[signature.manifestDigest.description]?["artifactType"] as? String == "application/example.signature")
                #expect(byDigest[sbom.manifestDigest.description]?["artifactType"] as? String == "application/example.sbom")
                #expect(byDigest[signature.manifestDigest.description]?["size"] as? Int == signature.manifest.count)
                #expect(byDigest[signature.manifestDigest.description]?["mediaType"] as? String == MediaType.ociManifest)
            }
            try await client.execute(uri: "/v2/app/referrers/\(base.manifestDigest)?artifactType=application%2Fexample.sbom", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("OCI-Filters-Applied") == "artifactType")
                let manifests = try #require(response.json?["manifests"] as? [[String: Any]])
                #expect(manifests.map { $0["digest"] as? String } == [sbom.manifestDigest.description])
            }
        }
    }

    @Test("Referrers of a digest nothing refers to is 200 with an empty manifests array")
    func emptyReferrers() async throws {
        try await withRegistry { client in
            try await client.pushImage("app", "v1", TestImage(seed: "lonely"))
            let digest = Digest.of(Array("no one".utf8))
            try await client.execute(uri: "/v2/app/referrers/\(digest)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.header("Content-Type") == MediaType.ociIndex)
                let manifests = try #require(response.json?["manifests"] as? [Any])
                #expect(manifests.isEmpty)
            }
        }
    }

    @Test("Referrers disappear when the referring manifest is deleted")
    func referrerDeleted() async throws {
        try await withRegistry { client in
            let base = TestImage(seed: "base")
            try await client.pushImage("app", "v1", base)
            let signature = TestImage(seed: "sig", subject: (base.manifestDigest, base.manifest.count), artifactType: "application/example.signature")
            try await client.pushImage("app", signature.manifestDigest.description, signature)
            try await client.execute(uri: "/v2/app/manifests/\(signature.manifestDigest)", method: .delete) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/v2/app/referrers/\(base.manifestDigest)", method: .get) { response in
                #expect((response.json?["manifests"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
