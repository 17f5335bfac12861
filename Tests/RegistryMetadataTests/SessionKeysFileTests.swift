import Foundation
@testable import RegistryMetadata
import Testing

@Suite("Session keys file")
struct SessionKeysFileTests {
    private func write(_ text: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("keys.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("The hash key's bytes are returned")
    func hashKeyIsLoaded() throws {
        let directory = try TemporaryDirectory()
        let key = String(repeating: "k", count: 32)
        let path = try write(#"{"hashKey": "\#(key)", "encryptKey": "0123456789abcdef"}"#, in: directory)
        #expect(try SessionKeysFile.load(path: path) == Array(key.utf8))
    }

    @Test("A hash key shorter than 32 bytes is refused without revealing it")
    func shortKeyIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = try write(#"{"hashKey": "short-secret"}"#, in: directory)
        let error = #expect(throws: SessionKeysFile.LoadError.self) { try SessionKeysFile.load(path: path) }
        #expect(error == .hashKeyTooShort(path: path, length: 12))
        #expect(error?.description.contains("short-secret") == false)
    }

    @Test("A missing file, non-JSON content or a missing hashKey is refused naming the path")
    func badFilesAreRefused() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path("absent.json")
        #expect(throws: SessionKeysFile.LoadError.self) { try SessionKeysFile.load(path: missing) }
        for text in ["not json", #"{"encryptKey": "x"}"#, #"{"hashKey": 42}"#, "[]"] {
            let path = try write(text, in: directory)
            let error = #expect(throws: SessionKeysFile.LoadError.self) { try SessionKeysFile.load(path: path) }
            #expect(error?.description.contains(path) == true)
        }
    }
}
