import CLDAP
import Foundation
import Synchronization

/// One libldap handle (`LDAP *`).
///
/// Every method blocks (network I/O bounded by the endpoint's timeouts) and must run on a thread pool,
/// never on an event loop. The class is `@unchecked Sendable` because the handle moves between threads:
/// ``LDAPConnectionPool`` lends a connection to one job at a time, and nothing touches it outside that job.
final class LDAPConnection: @unchecked Sendable {
    /// A directory entry as returned by ``search(base:subtree:filter:attributes:sizeLimit:)``.
    struct Entry: Sendable, Hashable {
        /// The entry's DN.
        var dn: String
        /// Values of the requested attributes, keyed by the name as requested; values that are not UTF-8 are
        /// left out.
        var attributes: [String: [String]]
    }

    /// The result of a search: the entries read, and whether the size limit cut the list short.
    struct SearchResult: Sendable {
        var entries: [Entry]
        var sizeLimitExceeded: Bool
    }

    /// The endpoint this connection talks to.
    let endpoint: LDAPEndpoint
    /// The generation of the service credentials this handle is currently bound with; `nil` when it is bound
    /// as a user (or not bound yet), so the next search must bind as the service first.
    var serviceBindGeneration: UInt64?

    private var handle: OpaquePointer?
    /// The libldap functions this handle is used with.
    private let library: LDAPLibrary

    /// libldap builds TLS contexts from process-wide state; creating them one at a time avoids relying on
    /// the TLS library's thread safety for that step. No network I/O happens under this lock.
    private static let setupLock = Mutex(())

    private init(endpoint: LDAPEndpoint, handle: OpaquePointer, library: LDAPLibrary) {
        self.endpoint = endpoint
        self.handle = handle
        self.library = library
    }

    deinit { close() }

    /// Creates a handle for `endpoint` with protocol v3, no referral chasing, network and operation timeouts
    /// and, for TLS, a per-connection context (certificate checking, CA file); for StartTLS, upgrades now.
    static func open(_ endpoint: LDAPEndpoint) throws(LDAPError) -> LDAPConnection {
        let library: LDAPLibrary
        do throws(LDAPLibraryError) {
            library = try LDAPLibrary.require()
        } catch {
            throw LDAPError(code: 0, operation: "load libldap", message: error.description)
        }
        let connection = try setupLock.withLock { _ throws(LDAPError) -> LDAPConnection in
            var raw: OpaquePointer?
            let initialized = library.initialize(&raw, endpoint.uri)
            guard initialized == LDAPResultCode.success, let raw else {
                throw LDAPError.libldap(initialized, "initialize \(endpoint.uri)")
            }
            let connection = LDAPConnection(endpoint: endpoint, handle: raw, library: library)
            try connection.configure()
            return connection
        }
        if endpoint.transport == .startTLS {
            let code = connection.library.startTLS(connection.handle, nil, nil)
            guard code == LDAPResultCode.success else {
                throw connection.error(code, "StartTLS with \(endpoint.uri)")
            }
        }
        return connection
    }

    private func configure() throws(LDAPError) {
        var version: Int32 = 3
        try setOption(LDAP_OPT_PROTOCOL_VERSION, &version, "protocol version")
        try setOption(LDAP_OPT_REFERRALS, nil, "referrals off")
        var timeout = timeval(tv_sec: endpoint.timeoutSeconds, tv_usec: 0)
        try setOption(LDAP_OPT_NETWORK_TIMEOUT, &timeout, "network timeout")
        try setOption(LDAP_OPT_TIMEOUT, &timeout, "operation timeout")
        guard endpoint.usesTLS else { return }
        var requireCertificate: Int32 = endpoint.skipVerify ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND
        try setOption(LDAP_OPT_X_TLS_REQUIRE_CERT, &requireCertificate, "TLS certificate checking")
        var minimumTLS: Int32 = 0x0303  // TLS 1.2
        try setOption(LDAP_OPT_X_TLS_PROTOCOL_MIN, &minimumTLS, "TLS minimum version")
        if let caCertFile = endpoint.caCertFile {
            let code = caCertFile.withCString { library.setOption(handle, LDAP_OPT_X_TLS_CACERTFILE, $0) }
            guard code == LDAPResultCode.success else { throw error(code, "TLS CA file \"\(caCertFile)\"") }
        }
        var isServer: Int32 = 0
        try setOption(LDAP_OPT_X_TLS_NEWCTX, &isServer, "TLS context (check caCert)")
    }

    private func setOption(_ option: Int32, _ value: UnsafeRawPointer?, _ what: String) throws(LDAPError) {
        let code = library.setOption(handle, option, value)
        guard code == LDAPResultCode.success else { throw error(code, "set option: \(what)") }
    }

    /// A simple bind; returns the LDAP result code (0 = success). The caller must never pass an empty password
    /// with a non-empty DN unless an anonymous bind is meant (LDAP treats it as unauthenticated).
    func simpleBind(dn: String, password: String) -> Int32 {
        var secret = Array(password.utf8CString.dropLast())
        return secret.withUnsafeMutableBufferPointer { buffer in
            var credential = berval(bv_len: ber_len_t(buffer.count), bv_val: buffer.count == 0 ? nil : buffer.baseAddress)
            let code = library.saslBind(handle, dn, nil, &credential, nil, nil, nil)
            // Do not leave the password in this buffer longer than needed.
            for index in buffer.indices { buffer[index] = 0 }
            return code
        }
    }

    /// Searches below `base` (one level, or the whole subtree) and reads `attributes` of at most `sizeLimit`
    /// entries. A size-limit result still returns the entries read.
    func search(base: String, subtree: Bool, filter: String, attributes: [String], sizeLimit: Int32) throws(LDAPError) -> SearchResult {
        let requested = attributes.isEmpty ? ["1.1"] : attributes
        var attributePointers: [UnsafeMutablePointer<CChar>?] = requested.map { strdup($0) } + [nil]
        defer { for pointer in attributePointers { free(pointer) } }
        var timeout = timeval(tv_sec: endpoint.timeoutSeconds, tv_usec: 0)
        var message: OpaquePointer?
        let scope: Int32 = subtree ? 2 : 1  // LDAP_SCOPE_SUBTREE : LDAP_SCOPE_ONELEVEL (cast macros Swift cannot import)
        let code = attributePointers.withUnsafeMutableBufferPointer { pointers in
            library.search(handle, base, scope, filter, pointers.baseAddress, 0, nil, nil, &timeout, sizeLimit, &message)
        }
        defer { if message != nil { _ = library.messageFree(message) } }
        guard code == LDAPResultCode.success || code == LDAPResultCode.sizeLimitExceeded else {
            throw error(code, "search under \"\(base)\"")
        }
        var entries: [Entry] = []
        var entry = library.firstEntry(handle, message)
        while let current = entry {
            entries.append(readEntry(current, attributes: attributes))
            entry = library.nextEntry(handle, current)
        }
        return SearchResult(entries: entries, sizeLimitExceeded: code == LDAPResultCode.sizeLimitExceeded)
    }

    private func readEntry(_ entry: OpaquePointer, attributes: [String]) -> Entry {
        var dn = ""
        if let rawDN = library.getDN(handle, entry) {
            dn = String(cString: rawDN)
            library.memFree(rawDN)
        }
        var values: [String: [String]] = [:]
        for attribute in attributes {
            guard let list = library.getValues(handle, entry, attribute) else { continue }
            defer { library.valueFree(list) }
            var strings: [String] = []
            var index = 0
            while let value = list[index] {
                let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                if let text = String(validating: bytes, as: UTF8.self) { strings.append(text) }
                index += 1
            }
            values[attribute] = strings
        }
        return Entry(dn: dn, attributes: values)
    }

    /// An ``LDAPError`` for `code`, with libldap's diagnostic message for this handle.
    func error(_ code: Int32, _ operation: String) -> LDAPError {
        var diagnostic: UnsafeMutablePointer<CChar>?
        var text: String?
        if handle != nil, library.getOption(handle, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAPResultCode.success,
           let diagnostic {
            text = String(cString: diagnostic)
            library.memFree(diagnostic)
        }
        return .libldap(code, operation, diagnostic: text)
    }

    /// Unbinds and frees the handle (idempotent). Blocks briefly: call it from the thread pool.
    func close() {
        guard let handle else { return }
        self.handle = nil
        _ = library.unbind(handle, nil, nil)
    }
}
