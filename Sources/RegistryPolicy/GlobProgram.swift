/// One compiled step of a glob without alternatives.
enum GlobToken: Sendable, Hashable {
    /// These UTF-8 bytes, exactly.
    case literal([UInt8])
    /// `*`: any run of characters other than `/`.
    case anyInSegment
    /// `?`: one character other than `/`.
    case oneCharacter
    /// `[...]`: one character other than `/` from the class.
    case characterClass(GlobCharacterClass)
    /// `**/` as whole segments: nothing, or any run of whole segments each followed by `/`.
    case optionalDirectories
    /// `/**` at the end: end of name, or `/` followed by anything.
    case optionalTail
    /// `**` as the whole pattern: anything.
    case anything
}

/// One step of a `GlobProgram`, stored flat (no references) so matching never retains or releases.
struct GlobOperation: Sendable, Hashable {
    enum Kind: UInt8, Sendable, Hashable {
        case literal, anyInSegment, oneCharacter, classIncluding, classExcluding, optionalDirectories, optionalTail, anything
    }

    let kind: Kind
    /// For literals: offset into `GlobProgram.literalBytes`; for classes: offset into `GlobProgram.classRanges`.
    let start: Int32
    /// Number of literal bytes or class ranges.
    let count: Int32
}

/// A flat glob (no braces) compiled to operations and matched in O(pattern × name) without recursion.
///
/// The matcher keeps two restart points, as in Russ Cox's "Glob Matching Can Be Simple And Fast Too":
/// the latest `*` (which may only grow within a segment) and the latest `**/` (which skips whole segments).
struct GlobProgram: Sendable, Hashable {
    let operations: [GlobOperation]
    let literalBytes: [UInt8]
    let classRanges: [ClosedRange<UInt32>]
    /// The literal bytes every match must start with.
    let literalPrefix: [UInt8]

    init(_ items: [GlobItem]) {
        let tokens = Self.tokens(items)
        var operations: [GlobOperation] = []
        var literalBytes: [UInt8] = []
        var classRanges: [ClosedRange<UInt32>] = []
        for token in tokens {
            switch token {
            case .literal(let bytes):
                operations.append(GlobOperation(kind: .literal, start: Int32(literalBytes.count), count: Int32(bytes.count)))
                literalBytes += bytes
            case .characterClass(let characterClass):
                operations.append(GlobOperation(kind: characterClass.negated ? .classExcluding : .classIncluding,
                                                start: Int32(classRanges.count), count: Int32(characterClass.ranges.count)))
                classRanges += characterClass.ranges
            case .anyInSegment: operations.append(GlobOperation(kind: .anyInSegment, start: 0, count: 0))
            case .oneCharacter: operations.append(GlobOperation(kind: .oneCharacter, start: 0, count: 0))
            case .optionalDirectories: operations.append(GlobOperation(kind: .optionalDirectories, start: 0, count: 0))
            case .optionalTail: operations.append(GlobOperation(kind: .optionalTail, start: 0, count: 0))
            case .anything: operations.append(GlobOperation(kind: .anything, start: 0, count: 0))
            }
        }
        self.operations = operations
        self.literalBytes = literalBytes
        self.classRanges = classRanges
        if case .literal(let bytes)? = tokens.first { literalPrefix = bytes } else { literalPrefix = [] }
    }

    /// Turns parsed items into tokens: merges literals, recognizes `**` segments, collapses `**/**` and `**`-runs.
    static func tokens(_ items: [GlobItem]) -> [GlobToken] {
        var segments: [[GlobItem]] = [[]]
        for item in items {
            if item == .separator { segments.append([]) } else { segments[segments.count - 1].append(item) }
        }
        // `**/**` is the same as `**`: keep only the last of consecutive globstar segments.
        segments = segments.enumerated().filter { position, segment in
            !(segment == [.star, .star] && position + 1 < segments.count && segments[position + 1] == [.star, .star])
        }.map(\.element)
        let isGlobstar = segments.map { $0 == [.star, .star] }
        var tokens: [GlobToken] = []
        var literal: [UInt8] = []
        func flushLiteral() {
            if !literal.isEmpty { tokens.append(.literal(literal)); literal = [] }
        }
        func append(_ token: GlobToken) {
            flushLiteral()
            if token == .anyInSegment, tokens.last == .anyInSegment { return }
            tokens.append(token)
        }
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            if isGlobstar[position] {
                if segments.count == 1 {
                    append(.anything)
                } else if isLast {
                    if literal.last == UInt8(ascii: "/") { literal.removeLast() }
                    append(.optionalTail)
                } else {
                    append(.optionalDirectories)
                }
                continue
            }
            for item in segment {
                switch item {
                case .character(let scalar): literal.append(contentsOf: String(scalar).utf8)
                case .star: append(.anyInSegment)
                case .question: append(.oneCharacter)
                case .characterClass(let characterClass): append(.characterClass(characterClass))
                case .separator, .alternation: break  // split off above / expanded by the parser
                }
            }
            if !isLast { literal.append(UInt8(ascii: "/")) }
        }
        flushLiteral()
        return tokens
    }

    func matches(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        operations.withUnsafeBufferPointer { operations in
            literalBytes.withUnsafeBufferPointer { literals in
                classRanges.withUnsafeBufferPointer { ranges in
                    Self.run(operations, literals, ranges, name)
                }
            }
        }
    }

    static func run(_ operations: UnsafeBufferPointer<GlobOperation>, _ literals: UnsafeBufferPointer<UInt8>,
                            _ ranges: UnsafeBufferPointer<ClosedRange<UInt32>>, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/")
        let count = name.count
        var operationIndex = 0
        var nameIndex = 0
        var starOperation = -1
        var starEnd = 0
        var directoriesOperation = -1
        var directoriesEnd = 0
        while true {
            if operationIndex < operations.count {
                let operation = operations[operationIndex]
                switch operation.kind {
                case .literal:
                    let length = Int(operation.count)
                    if count - nameIndex >= length, equal(literals, Int(operation.start), length, name, nameIndex) {
                        operationIndex += 1
                        nameIndex += length
                        continue
                    }
                case .oneCharacter:
                    if nameIndex < count, name[nameIndex] != slash {
                        nameIndex += scalarLength(name, at: nameIndex)
                        operationIndex += 1
                        continue
                    }
                case .classIncluding, .classExcluding:
                    if nameIndex < count, name[nameIndex] != slash {
                        let (scalar, length) = decode(name, at: nameIndex)
                        var found = false
                        for index in Int(operation.start)..<Int(operation.start + operation.count) where ranges[index].contains(scalar) {
                            found = true
                            break
                        }
                        if found == (operation.kind == .classIncluding) {
                            nameIndex += length
                            operationIndex += 1
                            continue
                        }
                    }
                case .anyInSegment:
                    starOperation = operationIndex
                    starEnd = nameIndex
                    operationIndex += 1
                    continue
                case .optionalDirectories:
                    directoriesOperation = operationIndex
                    directoriesEnd = nameIndex
                    starOperation = -1
                    operationIndex += 1
                    continue
                case .optionalTail:
                    if nameIndex == count || name[nameIndex] == slash { return true }
                case .anything:
                    return true
                }
            } else if nameIndex == count {
                return true
            }
            // Mismatch: let the latest `*` take one more character of its segment…
            if starOperation >= 0, starEnd < count, name[starEnd] != slash {
                starEnd += scalarLength(name, at: starEnd)
                operationIndex = starOperation + 1
                nameIndex = starEnd
                continue
            }
            // …or the latest `**/` take one more whole segment.
            if directoriesOperation >= 0 {
                var next = directoriesEnd
                while next < count, name[next] != slash { next += 1 }
                guard next < count else { return false }
                directoriesEnd = next + 1
                operationIndex = directoriesOperation + 1
                nameIndex = directoriesEnd
                starOperation = -1
                continue
            }
            return false
        }
    }

    @inline(__always)
    private static func equal(_ literals: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int,
                              _ name: UnsafeBufferPointer<UInt8>, _ nameStart: Int) -> Bool {
        var offset = 0
        while offset < length {
            if literals[start + offset] != name[nameStart + offset] { return false }
            offset += 1
        }
        return true
    }

    /// Length of the UTF-8 sequence starting at `index`, clamped to the buffer.
    @inline(__always)
    private static func scalarLength(_ name: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = name[index]
        let length = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        return min(length, name.count - index)
    }

    /// Decodes the scalar at `index` (invalid sequences decode to U+FFFD).
    private static func decode(_ name: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let length = scalarLength(name, at: index)
        if length == 1 { return (UInt32(name[index]), 1) }
        var value = UInt32(name[index]) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let byte = name[index + offset]
            guard byte & 0xC0 == 0x80 else { return (0xFFFD, offset) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (value, length)
    }
}
