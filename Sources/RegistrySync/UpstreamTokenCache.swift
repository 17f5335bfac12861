import Foundation

/// Registry tokens from the Docker token flow, by realm, service and scope, kept until shortly before they expire.
actor UpstreamTokenCache {
    private struct Entry { let token: String; let expires: Date }
    private var entries: [String: Entry] = [:]
    /// The bearer scheme each (host, scope) last asked for, so later requests send the token up front.
    private var challenges: [String: AuthChallenge] = [:]

    func token(_ key: String, now: Date = Date()) -> String? {
        guard let entry = entries[key] else { return nil }
        guard entry.expires > now else {
            entries[key] = nil
            return nil
        }
        return entry.token
    }

    func store(_ token: String, key: String, lifetime: Double, now: Date = Date()) {
        // A margin so a token is not sent in its last seconds; Docker's default lifetime is 60 s.
        let usable = max(1, lifetime - min(10, lifetime / 10))
        entries[key] = Entry(token: token, expires: now.addingTimeInterval(usable))
        if entries.count > 10_000 { entries = entries.filter { $0.value.expires > now } }
    }

    func challenge(for host: String) -> AuthChallenge? { challenges[host] }

    func remember(_ challenge: AuthChallenge, for host: String) { challenges[host] = challenge }
}
