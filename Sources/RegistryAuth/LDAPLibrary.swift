import CLDAP
import Foundation

/// libldap, loaded with `dlopen` the first time an LDAP authenticator is set up.
///
/// The executable does not link libldap: OpenLDAP's client library pulls in GnuTLS, p11-kit, Nettle, GMP,
/// SASL and more (≈ 2.5 MiB resident, plus GnuTLS's start-up work), which a registry without
/// `http.auth.ldap` should not pay for. The function types below mirror `<ldap.h>`; a test assigns the
/// linked C functions to them, so a mismatch fails to compile.
struct LDAPLibrary: @unchecked Sendable {  // immutable C function pointers into a library that is never closed
    typealias Control = UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>
    typealias Initialize = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafePointer<CChar>?) -> Int32
    typealias StartTLS = @convention(c) (OpaquePointer?, Control?, Control?) -> Int32
    typealias SetOption = @convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?) -> Int32
    typealias GetOption = @convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias SASLBind = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                         UnsafeMutablePointer<berval>?, Control?, Control?,
                                         UnsafeMutablePointer<UnsafeMutablePointer<berval>?>?) -> Int32
    typealias Search = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?,
                                       UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32, Control?, Control?,
                                       UnsafeMutablePointer<timeval>?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias MessageFree = @convention(c) (OpaquePointer?) -> Int32
    typealias EntryStep = @convention(c) (OpaquePointer?, OpaquePointer?) -> OpaquePointer?
    typealias GetDN = @convention(c) (OpaquePointer?, OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    typealias MemFree = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias GetValues = @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?)
        -> UnsafeMutablePointer<UnsafeMutablePointer<berval>?>?
    typealias ValueFree = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<berval>?>?) -> Void
    typealias Unbind = @convention(c) (OpaquePointer?, Control?, Control?) -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    let initialize: Initialize
    let startTLS: StartTLS
    let setOption: SetOption
    let getOption: GetOption
    let saslBind: SASLBind
    let search: Search
    let messageFree: MessageFree
    let firstEntry: EntryStep
    let nextEntry: EntryStep
    let getDN: GetDN
    let memFree: MemFree
    let getValues: GetValues
    let valueFree: ValueFree
    let unbind: Unbind
    let errorString: ErrorString

    /// Sonames tried in order: OpenLDAP 2.6 (Debian 13, Fedora), 2.5 (Debian 12, Ubuntu 22.04+), 2.4.
    static let sonames = ["libldap.so.2", "libldap-2.5.so.0", "libldap_r-2.4.so.2", "libldap-2.4.so.2"]

    /// The process-wide library, loaded on first use; the failure names every soname tried and why.
    static let shared: Result<LDAPLibrary, LDAPLibraryError> = load(sonames: sonames)

    /// The loaded library, or the reason it cannot be loaded.
    static func require() throws(LDAPLibraryError) -> LDAPLibrary {
        try shared.get()
    }

    /// Opens the first of `sonames` that loads and resolves every function this module calls.
    static func load(sonames: [String]) -> Result<LDAPLibrary, LDAPLibraryError> {
        var reasons: [String] = []
        for soname in sonames {
            guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
                reasons.append(dlerror().map { String(cString: $0) } ?? "\(soname): cannot be loaded")
                continue
            }
            do throws(LDAPLibraryError) {
                return .success(try LDAPLibrary(handle: handle, soname: soname))
            } catch {
                reasons.append(contentsOf: error.reasons)
                dlclose(handle)
            }
        }
        return .failure(LDAPLibraryError(reasons: reasons))
    }

    private init(handle: UnsafeMutableRawPointer, soname: String) throws(LDAPLibraryError) {
        func symbol<Function>(_ name: String, as type: Function.Type) throws(LDAPLibraryError) -> Function {
            guard let address = dlsym(handle, name) else {
                throw LDAPLibraryError(reasons: ["\(soname) has no symbol \(name)"])
            }
            return unsafeBitCast(address, to: type)
        }
        initialize = try symbol("ldap_initialize", as: Initialize.self)
        startTLS = try symbol("ldap_start_tls_s", as: StartTLS.self)
        setOption = try symbol("ldap_set_option", as: SetOption.self)
        getOption = try symbol("ldap_get_option", as: GetOption.self)
        saslBind = try symbol("ldap_sasl_bind_s", as: SASLBind.self)
        search = try symbol("ldap_search_ext_s", as: Search.self)
        messageFree = try symbol("ldap_msgfree", as: MessageFree.self)
        firstEntry = try symbol("ldap_first_entry", as: EntryStep.self)
        nextEntry = try symbol("ldap_next_entry", as: EntryStep.self)
        getDN = try symbol("ldap_get_dn", as: GetDN.self)
        memFree = try symbol("ldap_memfree", as: MemFree.self)
        getValues = try symbol("ldap_get_values_len", as: GetValues.self)
        valueFree = try symbol("ldap_value_free_len", as: ValueFree.self)
        unbind = try symbol("ldap_unbind_ext_s", as: Unbind.self)
        errorString = try symbol("ldap_err2string", as: ErrorString.self)
    }
}

/// libldap could not be loaded: no candidate soname opened, or one lacked a function.
public struct LDAPLibraryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One line per soname tried, from `dlerror` or the missing symbol.
    public let reasons: [String]

    public var description: String {
        "cannot load the OpenLDAP client library (install it: Debian 12 libldap-2.5-0, Debian 13 libldap2): "
            + reasons.joined(separator: "; ")
    }
}
