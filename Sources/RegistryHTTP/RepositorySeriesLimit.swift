import Synchronization

/// Bounds the number of per-repository series: the first `limit` repositories named in a metric get a label of
/// their own, every later one is counted under ``RepositorySeriesLimit/overflowLabel``, so a flood of new
/// repository names cannot blow up the number of series Prometheus stores.
///
/// A repository keeps the label it was given for the life of the process (its series stay continuous).
final class RepositorySeriesLimit: Sendable {
    /// The label of every repository beyond the limit. Repository names start with a letter or digit, so it
    /// never collides with one.
    static let overflowLabel = "_other"

    /// How many repositories get series of their own.
    let limit: Int
    private let admitted = Mutex<Set<String>>([])

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// The label value for `repository`: its name while there is room (or it already has a label), else `_other`.
    func label(_ repository: String) -> String {
        admitted.withLock { admitted in
            if admitted.contains(repository) { return repository }
            guard admitted.count < limit else { return Self.overflowLabel }
            admitted.insert(repository)
            return repository
        }
    }
}
