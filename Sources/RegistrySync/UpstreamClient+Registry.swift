import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RegistryCore

/// A manifest as the upstream served it, its digest verified.
struct UpstreamManifest: Sendable {
    let body: [UInt8]
    let mediaType: String
    let digest: Digest
}

/// The OCI Distribution API calls sync needs.
extension UpstreamClient {
    static let manifestTypes = [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList]

    static func pullScope(_ name: String) -> String { "repository:\(name):pull" }

    /// GET a manifest by tag or digest; the body must hash to the requested digest (or to `Docker-Content-Digest`).
    func manifest(_ name: String, _ reference: String) async throws -> UpstreamManifest {
        try await perform(.GET, "/v2/\(name)/manifests/\(reference)", accept: Self.manifestTypes, scope: Self.pullScope(name)) { response in
            try Self.check(response.status, "manifest \(name):\(reference)")
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > Self.maximumDocumentSize {
                throw UpstreamError.rejected("manifest \(name):\(reference) is \(length) bytes")
            }
            let body = try await Self.collect(response.body, limit: Self.maximumDocumentSize)
            let mediaType = response.headers.first(name: "Content-Type").map { String($0.split(separator: ";")[0]).trimmingCharacters(in: .whitespaces) }
                ?? MediaType.ociManifest
            let expected = Digest(reference) ?? response.headers.first(name: "Docker-Content-Digest").flatMap { Digest($0) }
            let digest = Digest.of(body, algorithm: expected?.algorithm ?? .sha256)
            if let expected, expected != digest {
                throw UpstreamError.rejected("manifest \(name):\(reference) hashes to \(digest), not \(expected)")
            }
            return UpstreamManifest(body: body, mediaType: mediaType, digest: digest)
        }
    }

    /// HEAD a tag: its digest upstream (the cheap staleness check). Falls back to GET when the header is missing.
    /// `retrying: false` (the on-demand staleness check) fails at once so the cached copy is served without delay.
    func manifestDigest(_ name: String, _ tag: String, retrying: Bool = true) async throws -> Digest {
        let header: Digest? = try await perform(.HEAD, "/v2/\(name)/manifests/\(tag)", accept: Self.manifestTypes,
                                                scope: Self.pullScope(name), retrying: retrying) { response in
            try Self.check(response.status, "manifest \(name):\(tag)")
            return response.headers.first(name: "Docker-Content-Digest").flatMap { Digest($0) }
        }
        if let header { return header }
        return try await manifest(name, tag).digest
    }

    /// Every tag of a repository (following `Link` pages).
    func tags(_ name: String) async throws -> [String] {
        var all: [String] = []
        var path: String? = "/v2/\(name)/tags/list?n=1000"
        var pages = 0
        while let current = path, pages < 1000 {
            pages += 1
            let (tags, next): ([String], String?) = try await perform(.GET, current, accept: ["application/json"],
                                                                      scope: Self.pullScope(name)) { response in
                try Self.check(response.status, "tags of \(name)")
                let body = try await Self.collect(response.body, limit: Self.maximumDocumentSize)
                let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
                return ((object?["tags"] as? [String]) ?? [], Self.nextLink(response.headers))
            }
            all += tags
            path = next
        }
        return all
    }

    /// The upstream's `_catalog`, or nil when it does not allow listing (401/403/404).
    func catalog() async throws -> [String]? {
        var all: [String] = []
        var path: String? = "/v2/_catalog?n=1000"
        var pages = 0
        while let current = path, pages < 10_000 {
            pages += 1
            let page: ([String], String?)? = try await perform(.GET, current, accept: ["application/json"], scope: "registry:catalog:*") { response in
                if [401, 403, 404].contains(response.status) { return nil }
                try Self.check(response.status, "_catalog")
                let body = try await Self.collect(response.body, limit: 16 << 20)
                let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
                return ((object?["repositories"] as? [String]) ?? [], Self.nextLink(response.headers))
            }
            guard let page else { return nil }
            all += page.0
            path = page.1
        }
        return all
    }

    /// The referrers of a manifest (OCI 1.1 API), or nil when the upstream does not implement it.
    func referrers(_ name: String, _ digest: Digest) async throws -> [Descriptor]? {
        try await perform(.GET, "/v2/\(name)/referrers/\(digest)", accept: [MediaType.ociIndex], scope: Self.pullScope(name)) { response in
            if response.status == 404 || response.status == 405 || response.status == 400 { return nil }
            try Self.check(response.status, "referrers of \(name)@\(digest)")
            let body = try await Self.collect(response.body, limit: Self.maximumDocumentSize)
            struct Index: Decodable { let manifests: [Descriptor]? }
            return (try? JSONDecoder().decode(Index.self, from: Data(body)))?.manifests ?? []
        }
    }

    /// GET a blob and hand its body and length to `consume`, following a redirect (Docker Hub's CDN) without our
    /// credentials.
    func blob<T>(_ name: String, _ digest: Digest, consume: (HTTPClientResponse.Body, Int64?) async throws -> T) async throws -> T {
        try await perform(.GET, "/v2/\(name)/blobs/\(digest)", scope: Self.pullScope(name)) { response in
            var current = response
            var hops = 0
            while [301, 302, 303, 307, 308].contains(current.status), let location = current.headers.first(name: "Location"), hops < 5 {
                hops += 1
                _ = try? await current.body.collect(upTo: 64 << 10)
                let target = location.hasPrefix("http://") || location.hasPrefix("https://") ? location : endpoint.base + location
                current = try await send(.GET, target, accept: [], authorization: nil)
            }
            try Self.check(current.status, "blob \(name)@\(digest)")
            let length = current.headers.first(name: "Content-Length").flatMap { Int64($0) }
            return try await consume(current.body, length)
        }
    }

    static func check(_ status: Int, _ what: String) throws {
        switch status {
        case 200...299: return
        case 404: throw UpstreamError.notFound(what)
        case 401: throw UpstreamError.unauthorized(what)
        case 403: throw UpstreamError.notFound("\(what) (403)")
        default: throw UpstreamError.unavailable("\(what): status \(status)")
        }
    }

    /// The path of a `Link: <…>; rel="next"` header.
    static func nextLink(_ headers: HTTPHeaders) -> String? {
        guard let link = headers.first(name: "Link"), link.contains("rel=\"next\""),
              let open = link.firstIndex(of: "<"), let close = link.firstIndex(of: ">"), open < close else { return nil }
        let target = String(link[link.index(after: open)..<close])
        if target.hasPrefix("/") { return target }
        return URLComponents(string: target).map { ($0.percentEncodedPath) + ($0.percentEncodedQuery.map { "?" + $0 } ?? "") }
    }
}
