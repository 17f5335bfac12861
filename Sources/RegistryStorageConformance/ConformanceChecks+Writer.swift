import Foundation
import NIOCore
import RegistryStorage

extension StorageDriverConformance {
    static let writerChecks: [Check] = [
        Check(name: "a large write streamed in uneven chunks reads back identically") { driver in
            let content = sample(20 * 1024 * 1024 + 3, seed: 3)
            let path = try p("/large")
            let writer = try await driver.writer(path, append: false)
            var start = 0
            var step = 1
            while start < content.count {
                let end = min(content.count, start + step * 7919)
                try await writer.write(ByteBuffer(bytes: content[start..<end]))
                start = end
                step = step % 300 + 1
            }
            try await writer.commit()
            try require(try await driver.stat(path).size == Int64(content.count), "size after a large write")
            try require(try await collect(driver.reader(path, offset: 0, length: nil)) == content, "large content")
        },
        Check(name: "writer content is invisible until commit, and commit replaces an existing file") { driver in
            let path = try p("/uploads/data")
            try await driver.putContent(path, Array("old".utf8))
            let writer = try await driver.writer(path, append: false)
            try await writer.write(ByteBuffer(bytes: Array("new content".utf8)))
            try require(try await driver.getContent(path, maximumSize: 100) == Array("old".utf8), "old content before commit")
            try require(try await driver.list(p("/uploads")) == [path], "list shows only committed files")
            try await writer.commit()
            try require(try await driver.getContent(path, maximumSize: 100) == Array("new content".utf8), "new content after commit")
            let fresh = try p("/uploads/fresh")
            let second = try await driver.writer(fresh, append: false)
            try await second.write(ByteBuffer(bytes: [1, 2, 3]))
            try require(!(try await driver.exists(fresh)), "uncommitted new file does not exist")
            try await second.cancel()
        },
        Check(name: "a closed writer resumes with append, keeping its size, across driver calls") { driver in
            let path = try p("/repo/.uploads/session")
            let first = try await driver.writer(path, append: false)
            let a = sample(1_500_000, seed: 11), b = sample(700_001, seed: 12), c = sample(3, seed: 13)
            try await first.write(ByteBuffer(bytes: a))
            try await first.close()
            let second = try await driver.writer(path, append: true)
            try require(second.size == Int64(a.count), "resumed size \(second.size), expected \(a.count)")
            try await second.write(ByteBuffer(bytes: b))
            try await second.close()
            let third = try await driver.writer(path, append: true)
            try require(third.size == Int64(a.count + b.count), "second resumed size \(third.size)")
            try await third.write(ByteBuffer(bytes: c))
            try await third.commit()
            try require(try await collect(driver.reader(path, offset: 0, length: nil)) == a + b + c, "resumed content")
            try await requireError(.pathNotFound(path)) { try await driver.writer(path, append: true) }
        },
        Check(name: "append without earlier content is pathNotFound, and a new writer discards what a closed one kept") { driver in
            let path = try p("/resume/none")
            try await requireError(.pathNotFound(path)) { try await driver.writer(path, append: true) }
            let kept = try await driver.writer(path, append: false)
            try await kept.write(ByteBuffer(bytes: sample(1000)))
            try await kept.close()
            let restarted = try await driver.writer(path, append: false)
            try require(restarted.size == 0, "a fresh writer starts empty")
            try await restarted.write(ByteBuffer(bytes: [9]))
            try await restarted.commit()
            try require(try await driver.getContent(path, maximumSize: 10) == [9], "only the fresh content")
        },
        Check(name: "cancel discards everything, and a finished writer refuses further calls") { driver in
            let path = try p("/cancelled")
            let writer = try await driver.writer(path, append: false)
            try await writer.write(ByteBuffer(bytes: sample(5000)))
            try await writer.close()
            let resumed = try await driver.writer(path, append: true)
            try await resumed.cancel()
            try require(!(try await driver.exists(path)), "nothing committed")
            try await requireError(.pathNotFound(path)) { try await driver.writer(path, append: true) }
            try await requireError(.writerFinished(path)) { try await resumed.write(ByteBuffer(bytes: [1])) }
            let done = try await driver.writer(path, append: false)
            try await done.commit()
            try await requireError(.writerFinished(path)) { try await done.write(ByteBuffer(bytes: [1])) }
            try await requireError(.writerFinished(path)) { try await done.commit() }
        },
        Check(name: "concurrent writers of different paths all land intact, and of one path one whole content wins") { driver in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await writeStreamed(driver, p("/concurrent/file-\(index)"), sample(600_000 + index, seed: UInt64(index + 100)), chunk: 65_536)
                    }
                }
                try await group.waitForAll()
            }
            for index in 0..<8 {
                let got = try await collect(driver.reader(p("/concurrent/file-\(index)"), offset: 0, length: nil))
                try require(got == sample(600_000 + index, seed: UInt64(index + 100)), "file-\(index) intact")
            }
            let shared = try p("/concurrent/shared")
            let candidates = (0..<4).map { sample(300_000, seed: UInt64(200 + $0)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for content in candidates {
                    group.addTask { try await writeStreamed(driver, shared, content, chunk: 30_000) }
                }
                try await group.waitForAll()
            }
            let winner = try await collect(driver.reader(shared, offset: 0, length: nil))
            try require(candidates.contains(winner), "the shared path holds one writer's whole content")
        },
    ]
}
