import Foundation
import RegistryCore
@testable import RegistryMetadata
import Testing

@Suite("Metadata store on disk")
struct MetadataStoreTests {
    @Test("A new database gets a 0700 directory and 0600 files")
    func filesArePrivate() throws {
        let temporary = try TemporaryDirectory()
        let directory = temporary.path("nested/meta")
        let path = directory + "/metadata.db"
        let metadata = try MetadataStore(path: path)
        _ = try APIKeyStore(store: metadata).create(owner: "alice", groups: [], label: "x", expiresAt: nil, scopes: [])
        #expect(try permissions(directory) == 0o700)
        #expect(try permissions(path) == 0o600)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        for companion in [path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: companion) {
            #expect(try permissions(companion) == 0o600)
        }
    }

    @Test("An existing world-readable database file is made private on open")
    func existingFileIsTightened() throws {
        let temporary = try TemporaryDirectory()
        let path = temporary.path("metadata.db")
        _ = try MetadataStore(path: path)
        #expect(chmod(path, 0o644) == 0)
        _ = try MetadataStore(path: path)
        #expect(try permissions(path) == 0o600)
    }

    @Test("Keys and sessions survive closing and reopening the database, secrets still only hashed on disk")
    func dataSurvivesReopen() throws {
        let temporary = try TemporaryDirectory()
        let path = temporary.path("metadata.db")
        let scope = AccessScope(repositories: "team/**", actions: [.read, .delete])
        let created: (record: APIKeyRecord, secret: String)
        let session: (session: BrowserSession, cookieValue: String)
        do {
            let metadata = try MetadataStore(path: path)
            created = try APIKeyStore(store: metadata).create(
                owner: "alice", groups: ["dev"], label: "ci", expiresAt: Date().addingTimeInterval(3600), scopes: [scope])
            session = try SessionStore(store: metadata).create(username: "bob", groups: ["ops"], provider: "dex")
        }
        for file in [path, path + "-wal"] {
            #expect(!fileContains(file, String(created.secret.dropFirst(4))))
            #expect(!fileContains(file, session.cookieValue))
        }
        let reopened = try MetadataStore(path: path)
        let keys = APIKeyStore(store: reopened)
        #expect(try keys.list(owner: "alice") == [created.record])
        #expect(try keys.verify(username: "alice", secret: created.secret)?.scopes == [scope])
        #expect(try SessionStore(store: reopened).lookup(cookieValue: session.cookieValue) == session.session)
    }

    @Test("A file that is not a database is refused with an error naming the path")
    func corruptFileIsRefused() throws {
        let temporary = try TemporaryDirectory()
        let path = temporary.path("metadata.db")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: MetadataStoreError.self) { try MetadataStore(path: path) }
        #expect(error?.description.contains(path) == true)
    }

    @Test("A path whose parent is a regular file is refused with an error naming it")
    func parentThatIsAFileIsRefused() throws {
        let temporary = try TemporaryDirectory()
        let blocker = temporary.path("file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let error = #expect(throws: MetadataStoreError.self) { try MetadataStore(path: blocker + "/metadata.db") }
        #expect(error?.description.contains(blocker) == true)
    }

    @Test("A database written by a newer schema is refused")
    func newerSchemaIsRefused() throws {
        let temporary = try TemporaryDirectory()
        let path = temporary.path("metadata.db")
        do {
            let metadata = try MetadataStore(path: path)
            try metadata.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        let error = #expect(throws: MetadataStoreError.self) { try MetadataStore(path: path) }
        #expect(error?.description.contains("newer version") == true)
    }
}
