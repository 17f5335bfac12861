import Foundation
import NIOCore
import RegistryStorage

extension StorageDriverConformance {
    static let readChecks: [Check] = [
        Check(name: "ranged reads return exactly the requested slice") { driver in
            let content = sample(3 * 1024 * 1024 + 17, seed: 7)
            let path = try p("/blobs/sha256/ranged")
            try await writeStreamed(driver, path, content, chunk: 256 * 1024)
            let size = Int64(content.count)
            for (offset, length) in [(Int64(0), Int64?.none), (0, 1), (1, 10), (1_048_575, 2), (1_048_576, 1_048_576),
                                     (size - 1, nil), (size - 5, 100), (17, 3 * 1024 * 1024)] {
                let got = try await collect(driver.reader(path, offset: offset, length: length))
                let end = length.map { min(size, offset + $0) } ?? size
                try require(got == Array(content[Int(offset)..<Int(end)]), "read at \(offset) length \(String(describing: length)) returned \(got.count) wrong bytes")
            }
            try require(try await collect(driver.reader(path, offset: size, length: nil)) == [], "reading at the end gives nothing")
            try require(try await collect(driver.reader(path, offset: 5, length: 0)) == [], "length 0 gives nothing")
            try await requireError(.invalidOffset(path, size + 1)) { try await driver.reader(path, offset: size + 1, length: nil) }
            try await requireError(.invalidOffset(path, -1)) { try await driver.reader(path, offset: -1, length: nil) }
        },
        Check(name: "reading a missing path or a directory is pathNotFound, before any chunk") { driver in
            let missing = try p("/missing")
            try await requireError(.pathNotFound(missing)) { try await driver.reader(missing, offset: 0, length: nil) }
            try await driver.putContent(p("/dir/file"), [1])
            let directory = try p("/dir")
            try await requireError(.pathNotFound(directory)) { try await driver.reader(directory, offset: 0, length: nil) }
        },
        Check(name: "a reader dropped after one chunk releases the file, which can then be deleted") { driver in
            let path = try p("/partly-read")
            try await writeStreamed(driver, path, sample(4 * 1024 * 1024), chunk: 1024 * 1024)
            for _ in 0..<20 {
                var iterator = try await driver.reader(path, offset: 0, length: nil).makeAsyncIterator()
                let first = try await iterator.next()
                try require((first?.readableBytes ?? 0) > 0, "a first chunk")
            }
            _ = try await driver.reader(path, offset: 0, length: nil)  // never iterated at all
            try await driver.delete(path)
            try require(!(try await driver.exists(path)), "deleted")
        },
    ]
}
