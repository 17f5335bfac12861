/// The four actions Zot's `accessControl` grants on a repository.
public enum RegistryAction: String, Sendable, CaseIterable, Hashable, Codable, Comparable {
    /// Pull: GET/HEAD of blobs, manifests, tags, referrers.
    case read
    /// Push of new content: uploads, and manifest PUT to a new tag or by digest.
    case create
    /// Manifest PUT that moves an existing tag.
    case update
    /// DELETE of manifests, tags or blobs.
    case delete

    public static func < (lhs: RegistryAction, rhs: RegistryAction) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
