import Foundation
import NIOCore
import RegistryStorage

extension StorageDriverConformance {
    static let contentChecks: [Check] = [
        Check(name: "putContent then getContent returns the bytes, and a second put replaces them") { driver in
            let path = try p("/repo/index.json")
            try await driver.putContent(path, Array("first".utf8))
            try require(try await driver.getContent(path, maximumSize: 1024) == Array("first".utf8), "first content")
            try await driver.putContent(path, Array("second, longer".utf8))
            try require(try await driver.getContent(path, maximumSize: 1024) == Array("second, longer".utf8), "replaced content")
            try await driver.putContent(path, Array("3".utf8))
            try require(try await driver.getContent(path, maximumSize: 1024) == Array("3".utf8), "shorter replacement is not padded")
        },
        Check(name: "an empty file is stored, has size 0 and reads as no bytes") { driver in
            let path = try p("/empty")
            try await driver.putContent(path, [])
            try require(try await driver.getContent(path, maximumSize: 10) == [], "empty content")
            try require(try await driver.stat(path).size == 0, "size 0")
            try require(try await collect(driver.reader(path, offset: 0, length: nil)) == [], "empty read")
            let other = try p("/dir/empty-written")
            try await writeStreamed(driver, other, [], chunk: 1)
            try require(try await driver.stat(other).size == 0, "a committed empty writer gives an empty file")
        },
        Check(name: "getContent of a missing path is pathNotFound and of a big file is tooLarge") { driver in
            let missing = try p("/nothing/here")
            try await requireError(.pathNotFound(missing)) { try await driver.getContent(missing, maximumSize: 10) }
            let big = try p("/big")
            try await driver.putContent(big, sample(100))
            try await requireError(.tooLarge(big, limit: 99)) { try await driver.getContent(big, maximumSize: 99) }
            try require(try await driver.getContent(big, maximumSize: 100).count == 100, "exactly the limit is allowed")
        },
        Check(name: "stat reports size, a recent modification time and directories") { driver in
            let before = Date().addingTimeInterval(-5)
            let path = try p("/a/b/file")
            try await driver.putContent(path, sample(321))
            let info = try await driver.stat(path)
            try require(info.size == 321 && !info.isDirectory, "file info \(info)")
            try require(info.modificationTime >= before && info.modificationTime <= Date().addingTimeInterval(5), "modification time \(info.modificationTime)")
            try require(try await driver.stat(p("/a")).isDirectory, "/a is a directory")
            try require(try await driver.stat(p("/a/b")).isDirectory, "/a/b is a directory")
            let missing = try p("/a/c")
            try await requireError(.pathNotFound(missing)) { try await driver.stat(missing) }
        },
    ]
}
