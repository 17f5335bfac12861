import Crypto
import Dispatch
import Foundation
import RegistryAuth
import RegistryOIDC

extension FuzzTargets {
    /// The parsers on the authentication path: htpasswd files, LDAP filters and DNs, `X-Forwarded-For`, JWS tokens,
    /// JWKS documents and OIDC discovery documents.
    static let authentication: [String: Target] = [
        "htpasswd": { bytes in
            let file = HtpasswdFile(parsing: String(decoding: bytes, as: UTF8.self))
            for (name, entry) in file.entries {
                precondition(name == entry.username && !name.isEmpty && !name.contains(":"), "bad htpasswd entry name")
            }
        },
        "ldap-filter": { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let escaped = LDAPFilter.escape(text)
            precondition(!escaped.unicodeScalars.contains { "*()\0".unicodeScalars.contains($0) }, "unescaped filter metacharacter")
            precondition(escapesAreHexPairs(escaped), "backslash not followed by two hex digits")
            let filter = LDAPFilter.user(attribute: "uid", username: text, userFilter: "(objectClass=person)")
            precondition(parenthesesBalance(filter), "filter parentheses do not balance")
            // The same bytes as DNs and memberOf values: group names must never be made up.
            _ = LDAPGroupNames.commonName(ofDN: text)
            let lines = text.split(separator: "\n").prefix(8).map(String.init)
            for group in LDAPGroupNames.groups(fromAttributeValues: lines, shortNameBase: "ou=groups,dc=example,dc=org") {
                precondition(!group.isEmpty, "empty group name")
            }
        },
        "forwarded-for": { bytes in
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .prefix(8).map(String.init)
            let client = forwardedForResolver.resolve(peerAddress: "10.0.0.1", forwardedFor: lines)
            precondition(IPAddress(client) != nil, "resolved client '\(client)' is not an IP address")
            for line in lines {
                if let address = IPAddress(line) { precondition(IPAddress(address.description) == address, "address does not round-trip") }
                if let block = CIDRBlock(line) { precondition(block.contains(block.address), "block misses its own address") }
            }
        },
        "jws": { bytes in
            // Whatever the bytes, no token verifies: the fuzzer does not hold the signing key.
            let token = String(decoding: bytes, as: UTF8.self)
            let verified = runBlocking {
                let keys = JWKSKeyCache(jwksURI: "https://issuer.example/jwks", http: FixedHTTPResponse(body: signingKeySet))
                let verifier = OIDCTokenVerifier(issuer: "https://issuer.example", audiences: ["registry"], keys: keys)
                return (try? await verifier.verify(token)) != nil
            }
            precondition(!verified, "a token verified without the signing key")
        },
        "jwks": { bytes in
            _ = runBlocking {
                let keys = JWKSKeyCache(jwksURI: "https://issuer.example/jwks", http: FixedHTTPResponse(body: bytes))
                _ = try? await keys.keys(for: nil)
                _ = try? await keys.keys(for: "k1")
                return true
            }
        },
        "discovery": { bytes in
            let metadata = runBlocking {
                try? await OIDCProviderMetadata.discover(issuer: "https://issuer.example", http: FixedHTTPResponse(body: bytes))
            }
            if let metadata {
                precondition(metadata.jwksURI.lowercased().hasPrefix("https://"), "accepted a non-https jwks_uri")
            }
        },
    ]

    /// Trusts loopback and 10/8, as a registry behind a local proxy would.
    static let forwardedForResolver = try! ClientAddressResolver(trustedProxies: ["10.0.0.0/8", "127.0.0.1", "::1"])

    /// A JWKS holding one P-256 key (`kid` k1) whose private half is thrown away.
    static let signingKeySet: [UInt8] = {
        let raw = P256.Signing.PrivateKey().publicKey.rawRepresentation
        func encode(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let x = encode(raw.prefix(32)), y = encode(raw.suffix(32))
        return Array(#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","use":"sig","x":"\#(x)","y":"\#(y)"}]}"#.utf8)
    }()

    /// Whether every `\` in `text` starts a two-hex-digit escape.
    static func escapesAreHexPairs(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\\" {
                guard index + 2 < scalars.count, scalars[index + 1].properties.isASCIIHexDigit, scalars[index + 2].properties.isASCIIHexDigit
                else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// Whether unescaped parentheses balance (escaped ones are `\28`/`\29`, so every literal one counts).
    static func parenthesesBalance(_ filter: String) -> Bool {
        var depth = 0
        for scalar in filter.unicodeScalars {
            if scalar == "(" { depth += 1 }
            if scalar == ")" { depth -= 1; if depth < 0 { return false } }
        }
        return depth == 0
    }
}

/// An HTTP client that answers every request with the same 200 body.
struct FixedHTTPResponse: OIDCHTTPClient {
    let body: [UInt8]

    func get(_ url: String) async throws -> OIDCHTTPResponse { OIDCHTTPResponse(status: 200, body: body) }

    func postForm(_ url: String, fields: [(String, String)], basicAuth: (user: String, password: String)?) async throws -> OIDCHTTPResponse {
        OIDCHTTPResponse(status: 200, body: body)
    }
}

/// Runs `body` to completion from synchronous fuzzer code.
func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () async -> Result) -> Result {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<Result>()
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Carries a task's result to the waiting thread; the semaphore orders the write before the read.
final class ResultBox<Value: Sendable>: @unchecked Sendable {
    var value: Value?
}
