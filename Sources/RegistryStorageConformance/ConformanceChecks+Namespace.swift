import Foundation
import NIOCore
import RegistryStorage

extension StorageDriverConformance {
    static let namespaceChecks: [Check] = [
        Check(name: "list returns the sorted immediate children; missing paths and files are pathNotFound") { driver in
            try require(try await driver.list(.root) == [], "an empty driver lists nothing at the root")
            for name in ["/r/b/x", "/r/a", "/r/c/d/e", "/top"] { try await driver.putContent(p(name), [1]) }
            try require(try await driver.list(.root) == [p("/r"), p("/top")], "root children")
            try require(try await driver.list(p("/r")) == [p("/r/a"), p("/r/b"), p("/r/c")], "children of /r")
            try require(try await driver.list(p("/r/c")) == [p("/r/c/d")], "children of /r/c")
            let missing = try p("/r/zzz")
            try await requireError(.pathNotFound(missing)) { try await driver.list(missing) }
            let file = try p("/top")
            try await requireError(.pathNotFound(file)) { try await driver.list(file) }
        },
        Check(name: "move replaces the destination, removes the source and creates parents") { driver in
            let source = try p("/uploads/one"), destination = try p("/blobs/sha256/aa/target")
            try await driver.putContent(source, Array("payload".utf8))
            try await driver.move(source, to: destination)
            try require(try await driver.getContent(destination, maximumSize: 100) == Array("payload".utf8), "moved content")
            try require(!(try await driver.exists(source)), "source gone")
            let other = try p("/uploads/two")
            try await driver.putContent(other, Array("over".utf8))
            try await driver.move(other, to: destination)
            try require(try await driver.getContent(destination, maximumSize: 100) == Array("over".utf8), "move over an existing file")
            let missing = try p("/uploads/none")
            try await requireError(.pathNotFound(missing)) { try await driver.move(missing, to: destination) }
            try require(try await driver.getContent(destination, maximumSize: 100) == Array("over".utf8), "failed move leaves the destination")
        },
        Check(name: "delete removes a file or a whole tree; missing is pathNotFound; the root is refused") { driver in
            for name in ["/repo/blobs/sha256/a", "/repo/blobs/sha256/b", "/repo/index.json", "/other/index.json"] {
                try await driver.putContent(p(name), [1])
            }
            try await driver.delete(p("/repo/blobs/sha256/a"))
            try require(try await driver.list(p("/repo/blobs/sha256")) == [p("/repo/blobs/sha256/b")], "one file deleted")
            try await driver.delete(p("/repo"))
            try require(!(try await driver.exists(p("/repo/index.json"))), "tree deleted")
            try require(!(try await driver.exists(p("/repo"))), "directory gone")
            try require(try await driver.exists(p("/other/index.json")), "sibling untouched")
            let missing = try p("/repo/blobs")
            try await requireError(.pathNotFound(missing)) { try await driver.delete(missing) }
            try await requireError(.invalidPath("/", reason: "")) { try await driver.delete(.root) }
        },
        Check(name: "link gives the destination the content, independent of later deletes") { driver in
            let source = try p("/a/blobs/sha256/x"), destination = try p("/b/blobs/sha256/x")
            try await driver.putContent(source, Array("shared".utf8))
            try await driver.putContent(destination, Array("stale".utf8))
            try await driver.link(source, to: destination)
            try require(try await driver.getContent(destination, maximumSize: 100) == Array("shared".utf8), "linked content replaces")
            try await driver.delete(source)
            try require(try await driver.getContent(destination, maximumSize: 100) == Array("shared".utf8), "survives deleting the source")
            let missing = try p("/a/none")
            try await requireError(.pathNotFound(missing)) { try await driver.link(missing, to: p("/b/none")) }
        },
    ]

    static let pathChecks: [Check] = [
        Check(name: "paths are validated: traversal, empty components, odd characters and lengths are refused") { _ in
            for bad in ["", "a", "a/b", "/a/", "//a", "/a//b", "/a/../b", "/..", "/a/./b", "/.", "/a b", "/a\u{0}b",
                        "/a\\b", "/ä", "/a?b", "/a*b", "/" + String(repeating: "x", count: 256)] {
                do {
                    _ = try StoragePath(bad)
                    throw ConformanceFailure("\"\(bad)\" was accepted")
                } catch StorageDriverError.invalidPath {
                    continue
                }
            }
            for good in ["/", "/a", "/library/alpine/blobs/sha256/0123abcdef", "/r/.uploads/3f2a", "/x/index.json", "/A-b_c.d:e", "/...a"] {
                _ = try StoragePath(good)
            }
            try require(try p("/a/b/c").parent == p("/a/b") && p("/a").parent == .root, "parent")
            try require(try p("/a").appending("b/c") == p("/a/b/c") && StoragePath.root.appending("x") == p("/x"), "appending")
            try require(try p("/a/b").isWithin(p("/a")) && !(p("/ab").isWithin(p("/a"))), "isWithin")
        },
    ]
}
