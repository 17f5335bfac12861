import NIOHTTP1
import Foundation

/// One object in a listing.
public struct S3ListedObject: Sendable, Hashable {
    public var key: String
    public var size: Int64
    public var etag: String?
    public var lastModified: Date?
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable, Hashable {
    public var objects: [S3ListedObject]
    /// With a delimiter: the "directories" (each ends with the delimiter).
    public var commonPrefixes: [String]
    /// Pass to the next call to continue; nil on the last page.
    public var nextContinuationToken: String?
}

extension S3Client {
    /// ListObjectsV2: one page of at most `maxKeys` (S3 caps it at 1000) keys under `prefix`.
    public func listObjectsV2(prefix: String = "", delimiter: String? = nil, continuationToken: String? = nil,
                              startAfter: String? = nil, maxKeys: Int? = nil) async throws -> S3ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2")]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let tree = try await sendForXML(.GET, key: nil, query: query)
        guard tree.name == "ListBucketResult" else {
            throw S3Error.malformedResponse("ListObjectsV2: root element \(tree.name)")
        }
        let objects = tree.all("Contents").compactMap { item -> S3ListedObject? in
            guard let key = item.text(of: "Key") else { return nil }
            return S3ListedObject(key: key, size: item.text(of: "Size").flatMap { Int64($0) } ?? 0,
                                  etag: item.text(of: "ETag")?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
                                  lastModified: item.text(of: "LastModified").flatMap(HTTPDate.parseISO8601))
        }
        let prefixes = tree.all("CommonPrefixes").compactMap { $0.text(of: "Prefix") }
        let truncated = tree.text(of: "IsTruncated") == "true"
        let token = tree.text(of: "NextContinuationToken")
        if truncated && (token ?? "").isEmpty {
            throw S3Error.malformedResponse("ListObjectsV2: truncated page without NextContinuationToken")
        }
        return S3ListPage(objects: objects, commonPrefixes: prefixes, nextContinuationToken: truncated ? token : nil)
    }

    /// Every key under `prefix`, following continuation tokens.
    public func listAllObjects(prefix: String) async throws -> [S3ListedObject] {
        var all: [S3ListedObject] = []
        var token: String?
        repeat {
            let page = try await listObjectsV2(prefix: prefix, continuationToken: token)
            all += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return all
    }
}
