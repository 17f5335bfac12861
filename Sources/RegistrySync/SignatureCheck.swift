import RegistryCore

/// `onlySigned`: an image counts as signed when the upstream has its cosign signature tag (`sha256-<hex>.sig`) or a
/// referrer whose artifact type is a cosign or Notation signature.
enum SignatureCheck {
    static let signatureArtifactTypes: Set<String> = [
        "application/vnd.dev.cosign.artifact.sig.v1+json",
        "application/vnd.cncf.notary.signature",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
    ]

    static func cosignTag(_ digest: Digest, suffix: String = "sig") -> String { "\(digest.algorithm.rawValue)-\(digest.hex).\(suffix)" }

    static func isSigned(client: UpstreamClient, name: String, digest: Digest) async throws -> Bool {
        do {
            _ = try await client.manifestDigest(name, cosignTag(digest))
            return true
        } catch UpstreamError.notFound {
        } catch UpstreamError.unauthorized {
        }
        let referrers = try await client.referrers(name, digest) ?? []
        return referrers.contains { signatureArtifactTypes.contains($0.artifactType ?? "") }
    }
}
