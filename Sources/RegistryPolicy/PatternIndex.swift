/// Finds the highest-precedence pattern matching a name without testing every pattern.
///
/// Every brace alternative of every pattern is filed in a byte trie under its literal prefix (the bytes
/// before its first wildcard). Walking a name down the trie visits only alternatives whose prefix the
/// name starts with; each node lists its alternatives by precedence, so a node stops at its first match.
/// All storage is flat buffers of plain values, so a lookup neither allocates nor retains per step.
struct PatternIndex: Sendable {
    private let table: PatternTable

    /// Indexes `globs`, which must already be in precedence order (rank = array position).
    init(_ globs: [GlobPattern]) {
        table = PatternTable(globs)
    }

    /// The rank of the best pattern matching `name`, or `nil` when none matches.
    func bestMatch(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        let table = self.table
        var best = Int32.max
        var node = 0
        var depth = 0
        while true {
            for position in Int(table.alternativeStart[node])..<Int(table.alternativeStart[node + 1]) {
                let alternative = table.alternatives[Int(table.nodeAlternatives[position])]
                if alternative.rank >= best { break }
                if GlobProgram.run(UnsafeBufferPointer(rebasing: table.operations[alternative.operations]),
                                   UnsafeBufferPointer(rebasing: table.literalBytes[alternative.literals]),
                                   UnsafeBufferPointer(rebasing: table.classRanges[alternative.ranges]), name) {
                    best = alternative.rank
                    break
                }
            }
            guard depth < name.count, let next = table.child(of: node, byte: name[depth]) else { break }
            node = next
            depth += 1
        }
        return best == Int32.max ? nil : Int(best)
    }
}

/// Immutable flat storage for `PatternIndex`, allocated once and freed on deinit.
private final class PatternTable: @unchecked Sendable {
    /// Where one brace alternative's operations, literal bytes and class ranges live in the shared buffers.
    struct Alternative {
        var rank: Int32
        var operations: Range<Int>
        var literals: Range<Int>
        var ranges: Range<Int>
    }

    let operations: UnsafeBufferPointer<GlobOperation>
    let literalBytes: UnsafeBufferPointer<UInt8>
    let classRanges: UnsafeBufferPointer<ClosedRange<UInt32>>
    let alternatives: UnsafeBufferPointer<Alternative>
    /// Node `n` has edges `edgeStart[n]..<edgeStart[n+1]` and alternatives `alternativeStart[n]..<alternativeStart[n+1]`.
    let edgeStart: UnsafeBufferPointer<Int32>
    let edgeBytes: UnsafeBufferPointer<UInt8>
    let edgeTargets: UnsafeBufferPointer<Int32>
    let alternativeStart: UnsafeBufferPointer<Int32>
    /// Alternative indices per node, ascending rank.
    let nodeAlternatives: UnsafeBufferPointer<Int32>

    init(_ globs: [GlobPattern]) {
        var operations: [GlobOperation] = []
        var literalBytes: [UInt8] = []
        var classRanges: [ClosedRange<UInt32>] = []
        var alternatives: [Alternative] = []
        var trie = TrieBuilder()
        for (rank, glob) in globs.enumerated() {
            for program in glob.programs {
                trie.insert(program.literalPrefix, alternative: Int32(alternatives.count))
                alternatives.append(Alternative(
                    rank: Int32(rank),
                    operations: operations.count..<(operations.count + program.operations.count),
                    literals: literalBytes.count..<(literalBytes.count + program.literalBytes.count),
                    ranges: classRanges.count..<(classRanges.count + program.classRanges.count)))
                operations += program.operations
                literalBytes += program.literalBytes
                classRanges += program.classRanges
            }
        }
        var edgeStart: [Int32] = []
        var edgeBytes: [UInt8] = []
        var edgeTargets: [Int32] = []
        var alternativeStart: [Int32] = []
        var nodeAlternatives: [Int32] = []
        for node in trie.nodes {
            edgeStart.append(Int32(edgeBytes.count))
            edgeBytes += node.edges.map(\.byte)
            edgeTargets += node.edges.map(\.target)
            alternativeStart.append(Int32(nodeAlternatives.count))
            nodeAlternatives += node.alternatives  // inserted in rank order
        }
        edgeStart.append(Int32(edgeBytes.count))
        alternativeStart.append(Int32(nodeAlternatives.count))
        self.operations = Self.copy(operations)
        self.literalBytes = Self.copy(literalBytes)
        self.classRanges = Self.copy(classRanges)
        self.alternatives = Self.copy(alternatives)
        self.edgeStart = Self.copy(edgeStart)
        self.edgeBytes = Self.copy(edgeBytes)
        self.edgeTargets = Self.copy(edgeTargets)
        self.alternativeStart = Self.copy(alternativeStart)
        self.nodeAlternatives = Self.copy(nodeAlternatives)
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: operations).deallocate()
        UnsafeMutableBufferPointer(mutating: literalBytes).deallocate()
        UnsafeMutableBufferPointer(mutating: classRanges).deallocate()
        UnsafeMutableBufferPointer(mutating: alternatives).deallocate()
        UnsafeMutableBufferPointer(mutating: edgeStart).deallocate()
        UnsafeMutableBufferPointer(mutating: edgeBytes).deallocate()
        UnsafeMutableBufferPointer(mutating: edgeTargets).deallocate()
        UnsafeMutableBufferPointer(mutating: alternativeStart).deallocate()
        UnsafeMutableBufferPointer(mutating: nodeAlternatives).deallocate()
    }

    /// The child of `node` along `byte`, if any.
    @inline(__always)
    func child(of node: Int, byte: UInt8) -> Int? {
        for edge in Int(edgeStart[node])..<Int(edgeStart[node + 1]) where edgeBytes[edge] == byte {
            return Int(edgeTargets[edge])
        }
        return nil
    }

    /// Copies a plain-value array into a buffer this table owns.
    private static func copy<Element>(_ array: [Element]) -> UnsafeBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeBufferPointer(rebasing: buffer[0..<array.count])
    }
}

/// Builds the trie with nested arrays; `PatternTable` flattens it.
private struct TrieBuilder {
    struct Node {
        var edges: [(byte: UInt8, target: Int32)] = []
        var alternatives: [Int32] = []
    }

    var nodes: [Node] = [Node()]

    mutating func insert(_ prefix: [UInt8], alternative: Int32) {
        var node = 0
        for byte in prefix {
            if let edge = nodes[node].edges.first(where: { $0.byte == byte }) {
                node = Int(edge.target)
            } else {
                nodes.append(Node())
                let child = Int32(nodes.count - 1)
                nodes[node].edges.append((byte, child))
                node = Int(child)
            }
        }
        nodes[node].alternatives.append(alternative)
    }
}
