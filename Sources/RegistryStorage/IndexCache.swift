import Foundation
import RegistryCore

/// Parsed `index.json`s of recently used repositories, each valid while the file's size and modification time are
/// the ones it was read or written with. Writes go through ``LayoutStorage``'s per-repository lock and refresh the
/// entry, so a push to a repository with 10,000 tags does not parse 2 MB of JSON first; a file changed behind our
/// back (another size or time) is read again. At most ``capacity`` repositories are kept.
actor IndexCache {
    struct Fingerprint: Equatable {
        let size: Int64
        let modificationTime: Date
    }

    static let capacity = 256
    private var indexes: [String: (Fingerprint, LayoutIndex)] = [:]

    func index(_ repository: RepositoryName, matching fingerprint: Fingerprint) -> LayoutIndex? {
        guard let (stored, index) = indexes[repository.value], stored == fingerprint else { return nil }
        return index
    }

    func store(_ index: LayoutIndex, _ repository: RepositoryName, _ fingerprint: Fingerprint) {
        if indexes[repository.value] == nil, indexes.count >= Self.capacity, let evicted = indexes.keys.randomElement() {
            indexes[evicted] = nil
        }
        indexes[repository.value] = (fingerprint, index)
    }

    func forget(_ repository: RepositoryName) { indexes[repository.value] = nil }
}
