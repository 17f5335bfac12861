import RegistryCore
import RegistryStorage

extension OnDemandSync {
    public func fetchReferrers(_ repository: RepositoryName, _ subject: Digest, requester: Identity) async {
        guard let (registry, name, _) = candidates(repository).first, let client = registry.clients.first else { return }
        _ = try? await flights.run("referrers|\(repository)|\(subject)") { [self] in
            await syncReferrers(of: subject, repository: repository, client: client, name: name, registry: registry, requester: requester)
            return true
        }
    }

    /// Referrers (signatures, SBOMs) of a fetched manifest: the OCI referrers API and, with `syncLegacyCosignTags`,
    /// cosign's `sha256-<hex>.sig/.sbom/.att` tags. Their manifests and (small) blobs are fetched; failures are logged
    /// and never fail the pull that triggered them.
    func syncReferrers(of digest: Digest, repository: RepositoryName, client: UpstreamClient, name: String,
                       registry: SyncedRegistry, requester: Identity?) async {
        var references: [Reference] = []
        if registry.settings.syncLegacyCosignTags {
            references += ["sig", "sbom", "att"].map { .tag(SignatureCheck.cosignTag(digest, suffix: $0)) }
        }
        if let referrers = try? await client.referrers(name, digest) {
            references += referrers.compactMap { Digest($0.digest).map(Reference.digest) }
        }
        for reference in references {
            if case .digest(let known) = reference, (try? await storage.blobSize(repository, known)) != nil { continue }
            do {
                let document = try await client.manifest(name, reference.description)
                let parsed = try ParsedManifest.parse(document.body, contentType: document.mediaType)
                for blob in parsed.blobs where (try? await storage.blobSize(repository, blob)) == nil {
                    _ = try await flights.run("blob|\(repository)|\(blob)") { [self] in
                        try await syncBlob(repository, blob, requester: requester)
                    }
                }
                _ = try await storage.putMirroredManifest(repository, reference: reference, body: document.body, manifest: parsed)
                observer?.fetched(UpstreamFetch(requester: requester, upstream: client.endpoint.base, upstreamRepository: name,
                                                repository: repository.value, kind: .manifest, digest: document.digest,
                                                bytes: Int64(document.body.count)))
            } catch UpstreamError.notFound {
                continue
            } catch {
                logger.debug("referrer not synced", metadata: ["repository": "\(repository)", "reference": "\(reference)", "reason": "\(error)"])
            }
        }
    }
}
