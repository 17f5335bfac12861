import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The HTTPS listener's certificate chain and private key, reloaded when their files change (as Zot's
/// `tls_config_watcher` does), so a renewed certificate (certbot, cert-manager) is served without a restart.
///
/// Every TLS handshake takes the pair in force through ``contextCallback``; established connections keep theirs.
/// A new pair is taken only when both files parse and the key belongs to the certificate: a half-written renewal
/// (new certificate, old key) keeps the old pair until the key arrives too.
public final class ServerCertificate: Sendable {
    /// The outcome of a check of the files.
    public enum Outcome: Sendable, Equatable {
        /// The files are as last seen.
        case unchanged
        /// A new pair is in force; `subject` describes the new leaf certificate.
        case reloaded(subject: String)
        /// The files changed but cannot be used; the old pair stays in force.
        case refused(String)
    }

    private struct Pair: Sendable {
        var chain: [NIOSSLCertificateSource]
        var key: NIOSSLPrivateKeySource
    }

    private struct State: Sendable {
        var certificatePath: String
        var keyPath: String
        var pair: Pair
        /// The file contents the pair was made from (or last refused), to notice a change.
        var seen: Data
    }

    private let state: Mutex<State>

    /// Loads the pair from `certificatePath` and `keyPath` (PEM); throws when either cannot be used.
    public init(certificatePath: String, keyPath: String) throws {
        let contents = try Self.read(certificatePath, keyPath)
        let pair = try Self.pair(contents)
        state = Mutex(State(certificatePath: certificatePath, keyPath: keyPath, pair: pair, seen: Self.joined(contents)))
    }

    /// The chain in force.
    public var chain: [NIOSSLCertificateSource] { state.withLock { $0.pair.chain } }

    /// The private key in force.
    public var privateKey: NIOSSLPrivateKeySource { state.withLock { $0.pair.key } }

    /// Rereads the files; takes the new pair when they changed and are usable.
    public func reloadIfChanged() -> Outcome {
        let (certificatePath, keyPath, seen) = state.withLock { ($0.certificatePath, $0.keyPath, $0.seen) }
        let contents: (certificate: Data, key: Data)
        do {
            contents = try Self.read(certificatePath, keyPath)
        } catch {
            // A file briefly missing during a rename-style renewal: try again at the next check.
            return .unchanged
        }
        guard Self.joined(contents) != seen else { return .unchanged }
        return take(contents, certificatePath: certificatePath, keyPath: keyPath)
    }

    /// Switches to other files (a config reload changed `http.tls.cert` / `key`); throws, keeping the old pair,
    /// when they cannot be used.
    public func switchFiles(certificatePath: String, keyPath: String) throws {
        let contents = try Self.read(certificatePath, keyPath)
        if case .refused(let reason) = take(contents, certificatePath: certificatePath, keyPath: keyPath) {
            throw ServerCertificateError(description: reason)
        }
    }

    private func take(_ contents: (certificate: Data, key: Data), certificatePath: String, keyPath: String) -> Outcome {
        do {
            let pair = try Self.pair(contents)
            state.withLock { $0 = State(certificatePath: certificatePath, keyPath: keyPath, pair: pair, seen: Self.joined(contents)) }
            return .reloaded(subject: Self.subject(pair))
        } catch {
            state.withLock { $0.seen = Self.joined(contents) }
            return .refused("\(error)")
        }
    }

    /// For `TLSConfiguration.sslContextCallback`: every handshake uses the pair in force.
    public var contextCallback: NIOSSLContextCallback {
        { [self] _, promise in
            var override = NIOSSLContextConfigurationOverride()
            let pair = state.withLock { $0.pair }
            override.certificateChain = pair.chain
            override.privateKey = pair.key
            promise.succeed(override)
        }
    }

    private static func joined(_ contents: (certificate: Data, key: Data)) -> Data {
        contents.certificate + Data([0]) + contents.key
    }

    private static func read(_ certificatePath: String, _ keyPath: String) throws -> (certificate: Data, key: Data) {
        (try Data(contentsOf: URL(fileURLWithPath: certificatePath)), try Data(contentsOf: URL(fileURLWithPath: keyPath)))
    }

    /// Parses the pair and proves the key belongs to the leaf certificate (BoringSSL refuses a mismatched key
    /// when a context is made from them).
    private static func pair(_ contents: (certificate: Data, key: Data)) throws -> Pair {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(contents.certificate))
        } catch {
            throw ServerCertificateError(description: "the certificate file is not PEM certificates: \(error)")
        }
        guard !certificates.isEmpty else { throw ServerCertificateError(description: "the certificate file holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(contents.key), format: .pem)
        } catch {
            throw ServerCertificateError(description: "the key file is not a PEM private key: \(error)")
        }
        let chain = certificates.map { NIOSSLCertificateSource.certificate($0) }
        do {
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } catch {
            throw ServerCertificateError(description: "the private key does not belong to the certificate: \(error)")
        }
        return Pair(chain: chain, key: .privateKey(key))
    }

    private static func subject(_ pair: Pair) -> String {
        guard case .certificate(let leaf) = pair.chain.first else { return "" }
        let serial = leaf.serialNumber.map { String(format: "%02x", $0) }.joined()
        let expiry = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        return "serial \(serial), valid until \(ISO8601DateFormatter().string(from: expiry))"
    }
}

/// Why a certificate/key pair cannot be used.
public struct ServerCertificateError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

