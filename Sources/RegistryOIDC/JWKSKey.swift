import Foundation
import JWTKit

/// One usable signing key from a provider's JWKS, with the verifiers for exactly the algorithms it may be used
/// with: those fitting its `kty`/`crv`, narrowed to its own `alg` when the JWK declares one.
///
/// Keys that are not for signatures (`use` other than `sig`), symmetric (`oct`), of an unknown type or curve,
/// or weak (RSA under 2048 bits) never become a `JWKSKey`.
public struct JWKSKey: Sendable {
    /// The key id (`kid`), if published.
    public let kid: String?
    /// The JWK key type (`RSA`, `EC`, `OKP`).
    public let keyType: String
    /// The curve for `EC`/`OKP` keys.
    public let curve: String?
    /// The algorithms this key may verify.
    public var algorithms: [JWSAlgorithm] { verifiers.map(\.algorithm) }

    private let verifiers: [(algorithm: JWSAlgorithm, verifier: any JWTAlgorithm)]

    /// The verifier for `algorithm`, or `nil` when the key may not be used with it.
    func verifier(for algorithm: JWSAlgorithm) -> (any JWTAlgorithm)? {
        verifiers.first { $0.algorithm == algorithm }?.verifier
    }

    /// Reads one JWK; throws a short reason when it is unusable.
    static func make(from jwk: [String: JSONValue]) async throws(JWKSKeyProblem) -> JWKSKey {
        let kid = jwk["kid"]?.stringValue
        guard let keyType = jwk["kty"]?.stringValue else { throw JWKSKeyProblem("no kty") }
        if let use = jwk["use"]?.stringValue, use != "sig" { throw JWKSKeyProblem("use is '\(OIDCError.quote(use))'") }
        let curve = jwk["crv"]?.stringValue
        var algorithms = JWSAlgorithm.compatible(keyType: keyType, curve: keyType == "RSA" ? nil : curve)
        if let declared = jwk["alg"]?.stringValue {
            algorithms = algorithms.filter { $0.rawValue == declared }
        }
        guard !algorithms.isEmpty else {
            throw JWKSKeyProblem("kty '\(OIDCError.quote(keyType))' crv '\(OIDCError.quote(curve ?? ""))' alg '\(OIDCError.quote(jwk["alg"]?.stringValue ?? ""))' is not a supported signing key")
        }
        var verifiers: [(JWSAlgorithm, any JWTAlgorithm)] = []
        do {
            for algorithm in algorithms {
                // A one-key collection whose only (default) key is registered for exactly this algorithm.
                let collection = JWTKeyCollection()
                try await add(algorithm, jwk: jwk, to: collection)
                verifiers.append((algorithm, try await collection.getKey()))
            }
        } catch let problem as JWKSKeyProblem {
            throw problem
        } catch {
            throw JWKSKeyProblem("key material is invalid (\(OIDCError.quote(String(describing: error), limit: 120)))")
        }
        return JWKSKey(kid: kid, keyType: keyType, curve: curve, verifiers: verifiers)
    }

    private init(kid: String?, keyType: String, curve: String?, verifiers: [(JWSAlgorithm, any JWTAlgorithm)]) {
        self.kid = kid
        self.keyType = keyType
        self.curve = curve
        self.verifiers = verifiers.map { (algorithm: $0.0, verifier: $0.1) }
    }

    private static func add(_ algorithm: JWSAlgorithm, jwk: [String: JSONValue], to collection: JWTKeyCollection) async throws {
        func member(_ name: String) throws -> String {
            guard let value = jwk[name]?.stringValue, !value.isEmpty else { throw JWKSKeyProblem("no '\(name)'") }
            return value
        }
        switch algorithm {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512:
            let key = try Insecure.RSA.PublicKey(modulus: try member("n"), exponent: try member("e"))
            let digest: DigestAlgorithm = switch algorithm {
            case .rs256, .ps256: .sha256
            case .rs384, .ps384: .sha384
            default: .sha512
            }
            if algorithm.rawValue.hasPrefix("PS") {
                await collection.add(pss: key, digestAlgorithm: digest)
            } else {
                await collection.add(rsa: key, digestAlgorithm: digest)
            }
        case .es256:
            await collection.add(ecdsa: try ES256PublicKey(parameters: (x: try member("x"), y: try member("y"))))
        case .es384:
            await collection.add(ecdsa: try ES384PublicKey(parameters: (x: try member("x"), y: try member("y"))))
        case .es512:
            await collection.add(ecdsa: try ES512PublicKey(parameters: (x: try member("x"), y: try member("y"))))
        case .eddsa:
            await collection.add(eddsa: try EdDSA.PublicKey(x: try member("x"), curve: .ed25519))
        }
    }
}

/// Why one JWK was skipped.
struct JWKSKeyProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
