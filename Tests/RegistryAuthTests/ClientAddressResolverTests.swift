import RegistryAuth
import RegistryAuthCore
import Testing

@Suite("Client address resolution")
struct ClientAddressResolverTests {
    private let resolver: ClientAddressResolver

    init() throws {
        resolver = try ClientAddressResolver(trustedProxies: ["10.0.0.0/8", "192.0.2.7", "fd00::/8"])
    }

    @Test("an untrusted peer is the client and its X-Forwarded-For is ignored")
    func untrustedPeer() {
        #expect(resolver.resolve(peerAddress: "203.0.113.9", forwardedFor: ["1.2.3.4"]) == "203.0.113.9")
    }

    @Test("behind a trusted proxy the rightmost untrusted hop is the client")
    func rightmostUntrusted() {
        let address = resolver.resolve(peerAddress: "10.1.2.3", forwardedFor: ["6.6.6.6, 198.51.100.4, 10.9.9.9"])
        #expect(address == "198.51.100.4")
    }

    @Test("several header lines are read as one list in order")
    func multipleHeaderLines() {
        let address = resolver.resolve(peerAddress: "192.0.2.7", forwardedFor: ["6.6.6.6", "198.51.100.4", "10.0.0.2"])
        #expect(address == "198.51.100.4")
    }

    @Test("when every hop is trusted the leftmost is the client")
    func allTrusted() {
        #expect(resolver.resolve(peerAddress: "10.0.0.1", forwardedFor: ["10.0.0.5,10.0.0.6"]) == "10.0.0.5")
    }

    @Test("a garbage hop stops the walk at the last trusted proxy")
    func garbageHop() {
        #expect(resolver.resolve(peerAddress: "10.0.0.1", forwardedFor: ["6.6.6.6, evil"]) == "10.0.0.1")
        #expect(resolver.resolve(peerAddress: "10.0.0.1", forwardedFor: ["6.6.6.6, , 10.0.0.2"]) == "10.0.0.2")
    }

    @Test("IPv6 proxies and clients are resolved and canonicalised")
    func ipv6() {
        let address = resolver.resolve(peerAddress: "fd12::1", forwardedFor: ["2001:DB8:0:0::42, fd00::9"])
        #expect(address == "2001:db8::42")
    }

    @Test("an IPv4-mapped IPv6 peer matches IPv4 trust entries")
    func mappedPeer() {
        #expect(resolver.resolve(peerAddress: "::ffff:10.0.0.1", forwardedFor: ["198.51.100.4"]) == "198.51.100.4")
        #expect(resolver.resolve(peerAddress: "::ffff:203.0.113.9", forwardedFor: []) == "203.0.113.9")
    }

    @Test("hops with ports are understood")
    func hopsWithPorts() {
        #expect(resolver.resolve(peerAddress: "10.0.0.1", forwardedFor: ["198.51.100.4:5555"]) == "198.51.100.4")
        #expect(resolver.resolve(peerAddress: "10.0.0.1", forwardedFor: ["[2001:db8::1]:443"]) == "2001:db8::1")
    }

    @Test("without trusted proxies the peer is always the client")
    func noTrustedProxies() throws {
        let plain = try ClientAddressResolver()
        #expect(plain.resolve(peerAddress: "127.0.0.1", forwardedFor: ["1.2.3.4"]) == "127.0.0.1")
    }

    @Test("a peer that is not an IP address is returned unchanged")
    func nonIPPeer() {
        #expect(resolver.resolve(peerAddress: "/run/zot.sock", forwardedFor: ["1.2.3.4"]) == "/run/zot.sock")
    }

    @Test("invalid trusted proxy entries are configuration errors", arguments: ["10.0.0.0/33", "example.com", "::/129", "1.2.3.4/x", ""])
    func invalidTrustedProxy(entry: String) {
        #expect(throws: ClientAddressResolverError.invalidTrustedProxy(entry)) {
            try ClientAddressResolver(trustedProxies: [entry])
        }
    }

    @Test("CIDR membership honours prefixes that do not end on a byte boundary")
    func cidrBoundaries() throws {
        let block = try #require(CIDRBlock("172.16.0.0/12"))
        #expect(block.contains(try #require(IPAddress("172.31.255.255"))))
        #expect(!block.contains(try #require(IPAddress("172.32.0.0"))))
        #expect(!block.contains(try #require(IPAddress("::1"))))
        let everything = try #require(CIDRBlock("0.0.0.0/0"))
        #expect(everything.contains(try #require(IPAddress("8.8.8.8"))))
    }
}
