import Foundation
@testable import RegistryMetadata
import Testing

@Suite("Pending logins are bounded per client address, so one address cannot evict the logins of others")
struct PendingLoginFloodTests {
    static func login(_ state: String, from address: String, at date: Date) -> PendingLogin {
        PendingLogin(state: state, nonce: "n", codeVerifier: "v", provider: "oidc", callbackUI: nil, createdAt: date, clientAddress: address)
    }

    @Test("10,400 login starts from one address leave another address's pending login in place")
    func floodFromOneAddressKeepsOthers() throws {
        let store = try MetadataStore.inMemory()
        let sessions = SessionStore(store: store)
        let start = Date()
        try sessions.savePendingLogin(Self.login("victim", from: "192.0.2.7", at: start))
        for index in 0..<10_400 {
            try sessions.savePendingLogin(Self.login("flood-\(index)", from: "198.51.100.1", at: start.addingTimeInterval(Double(index) / 1000)))
        }
        #expect(try sessions.takePendingLogin(state: "victim") != nil)
    }

    @Test("An address keeps only its newest pending logins beyond the per-address bound")
    func ownOldestAreDropped() throws {
        let store = try MetadataStore.inMemory()
        let sessions = SessionStore(store: store)
        let start = Date()
        let bound = SessionStore.maximumPendingLoginsPerAddress
        for index in 0..<(bound + 5) {
            try sessions.savePendingLogin(Self.login("s\(index)", from: "203.0.113.9", at: start.addingTimeInterval(Double(index))))
        }
        for index in 0..<5 { #expect(try sessions.takePendingLogin(state: "s\(index)") == nil) }
        for index in 5..<(bound + 5) { #expect(try sessions.takePendingLogin(state: "s\(index)")?.clientAddress == "203.0.113.9") }
    }
}
