import RegistryCore
import Testing

@Suite("ByteRange")
struct ByteRangeTests {
    @Test("satisfiable request ranges resolve against the blob size", arguments: [
        ("bytes=0-4", Int64(10), Int64(0), Int64(4)),
        ("bytes=5-", 10, 5, 9),
        ("bytes=-3", 10, 7, 9),
        ("bytes=-30", 10, 0, 9),
        ("bytes=0-100", 10, 0, 9),
        ("bytes=9-9", 10, 9, 9),
        ("  bytes=2-3\t", 10, 2, 3),
        ("bytes=0-0", 1, 0, 0),
    ])
    func satisfiable(header: String, size: Int64, start: Int64, end: Int64) throws {
        #expect(try ByteRange.parseRequestRange(header, size: size) == start...end)
    }

    @Test("ranges starting at or past the end throw RANGE_INVALID", arguments: [
        ("bytes=10-", Int64(10)),
        ("bytes=10-20", 10),
        ("bytes=0-4", 0),
        ("bytes=-3", 0),
        ("bytes=0-", 0),
    ])
    func unsatisfiable(header: String, size: Int64) {
        let error = #expect(throws: RegistryError.self) { try ByteRange.parseRequestRange(header, size: size) }
        #expect(error?.code == .rangeInvalid)
        #expect(error?.status == 416)
    }

    @Test("headers that are not one byte range are ignored", arguments: [
        "", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=4-2", "bytes=0-1,3-4", "items=0-4",
        "bytes=-0", "bytes=--3", "bytes=-1-2", "bytes=1", "bytes=99999999999999999999-",
    ])
    func garbage(header: String) throws {
        #expect(try ByteRange.parseRequestRange(header, size: 10) == nil)
    }

    @Test("chunk Content-Range headers parse in all accepted spellings", arguments: [
        ("0-39", Int64(0), Int64(39)),
        ("40-79", 40, 79),
        ("bytes 0-39/100", 0, 39),
        ("bytes=0-39", 0, 39),
        ("0-39/*", 0, 39),
        (" 5-5 ", 5, 5),
    ])
    func contentRange(header: String, start: Int64, end: Int64) {
        #expect(ByteRange.parseContentRange(header) == start...end)
    }

    @Test("malformed Content-Range headers return nil", arguments: [
        "", "-", "39-0", "a-b", "0-", "-39", "5", "bytes */100", "0-39-40", "items 0-39",
        "0-99999999999999999999",
    ])
    func badContentRange(header: String) {
        #expect(ByteRange.parseContentRange(header) == nil)
    }
}
