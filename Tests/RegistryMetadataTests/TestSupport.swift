import Foundation
import GRDB
@testable import RegistryMetadata
import Synchronization

/// A wall clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSinceReferenceDate: 800_000_000))

    var now: @Sendable () -> Date { { [self] in current.withLock { $0 } } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A temporary directory removed when the value is deinitialised.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("registry-metadata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

extension MetadataStore {
    /// Every value of every row of `table`, as text (blobs as hex), for asserting what is stored.
    func rawValues(of table: String) throws -> [String] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table)").flatMap { row in
                row.databaseValues.map { value -> String in
                    switch value.storage {
                    case let .blob(data): data.map { String(format: "%02x", $0) }.joined()
                    case let .string(text): text
                    case let .int64(number): String(number)
                    case let .double(number): String(number)
                    case .null: "NULL"
                    }
                }
            }
        }
    }

    /// Runs raw SQL (to simulate damage).
    func execute(_ sql: String) throws {
        try writer.write { db in try db.execute(sql: sql) }
    }
}

/// Whether the bytes of `text` occur in the file at `path` (missing file: false).
func fileContains(_ path: String, _ text: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    return data.range(of: Data(text.utf8)) != nil
}

/// The permission bits of `path`.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
