/// The client address could not be understood.
public enum ClientAddressResolverError: Error, Sendable, Hashable {
    /// A `trustedProxies` entry is neither an IP address nor a CIDR block.
    case invalidTrustedProxy(String)
}

/// Finds the real client address of a request that may have passed through reverse proxies.
///
/// `X-Forwarded-For` is believed only as far as it was written by proxies we trust: if the socket peer is not
/// a trusted proxy, the peer is the client and the header is ignored (anyone can send one). Otherwise the
/// header's entries (all header lines, comma-separated, in order) are walked from right to left, skipping
/// trusted proxies; the first untrusted entry is the client. If an entry cannot be parsed, the walk stops and
/// the last trusted hop is returned (garbage is never used as a key). If every hop is trusted, the leftmost
/// one is the client.
public struct ClientAddressResolver: Sendable {
    /// The networks whose `X-Forwarded-For` entries are believed.
    public let trustedProxies: [CIDRBlock]

    /// Creates a resolver; `trustedProxies` are IP addresses or CIDR blocks, IPv4 or IPv6.
    public init(trustedProxies: [String] = []) throws(ClientAddressResolverError) {
        var blocks: [CIDRBlock] = []
        for entry in trustedProxies {
            guard let block = CIDRBlock(entry) else { throw .invalidTrustedProxy(entry) }
            blocks.append(block)
        }
        self.trustedProxies = blocks
    }

    /// Whether `address` belongs to a trusted proxy.
    public func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// The client address, canonicalised (`::ffff:192.0.2.1` → `192.0.2.1`). When `peerAddress` is not an IP
    /// address (a Unix socket path, say), it is returned unchanged and the header is ignored.
    public func resolve(peerAddress: String, forwardedFor headerValues: [String]) -> String {
        guard let peer = IPAddress(peerAddress) else { return peerAddress }
        guard isTrusted(peer), !headerValues.isEmpty else { return peer.description }
        let hops = headerValues.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        var client = peer
        for hop in hops.reversed() {
            guard let address = Self.parseHop(hop) else { return client.description }
            client = address
            if !isTrusted(address) { return address.description }
        }
        return client.description
    }

    /// Parses one `X-Forwarded-For` entry: an address, optionally with a port (`192.0.2.1:8080`,
    /// `[2001:db8::1]:443`).
    static func parseHop(_ hop: Substring) -> IPAddress? {
        let text = hop.trimmingBlanks()
        if let address = IPAddress(text) { return address }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), rest.dropFirst().allSatisfy(\.isNumber) else { return nil }
            return IPAddress(text[text.index(after: text.startIndex)..<close])
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber), let address = IPAddress(parts[0]),
           address.isIPv4 {
            return address
        }
        return nil
    }
}
