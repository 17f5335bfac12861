import CLDAP
@testable import RegistryAuth
import Testing

@Suite("libldap loaded at run time")
struct LDAPLibraryTests {
    /// Each `let` below only compiles when our function type is exactly the type Swift imports from `<ldap.h>`.
    private let declared: [UnsafeRawPointer] = [
        unsafeBitCast(ldap_initialize as LDAPLibrary.Initialize, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_start_tls_s as LDAPLibrary.StartTLS, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_set_option as LDAPLibrary.SetOption, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_get_option as LDAPLibrary.GetOption, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_sasl_bind_s as LDAPLibrary.SASLBind, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_search_ext_s as LDAPLibrary.Search, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_msgfree as LDAPLibrary.MessageFree, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_first_entry as LDAPLibrary.EntryStep, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_next_entry as LDAPLibrary.EntryStep, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_get_dn as LDAPLibrary.GetDN, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_memfree as LDAPLibrary.MemFree, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_get_values_len as LDAPLibrary.GetValues, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_value_free_len as LDAPLibrary.ValueFree, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_unbind_ext_s as LDAPLibrary.Unbind, to: UnsafeRawPointer.self),
        unsafeBitCast(ldap_err2string as LDAPLibrary.ErrorString, to: UnsafeRawPointer.self),
    ]

    @Test("the loaded library resolves every function to the one declared in ldap.h")
    func resolvesTheDeclaredFunctions() throws {
        let library = try LDAPLibrary.require()
        let loaded: [UnsafeRawPointer] = [
            unsafeBitCast(library.initialize, to: UnsafeRawPointer.self),
            unsafeBitCast(library.startTLS, to: UnsafeRawPointer.self),
            unsafeBitCast(library.setOption, to: UnsafeRawPointer.self),
            unsafeBitCast(library.getOption, to: UnsafeRawPointer.self),
            unsafeBitCast(library.saslBind, to: UnsafeRawPointer.self),
            unsafeBitCast(library.search, to: UnsafeRawPointer.self),
            unsafeBitCast(library.messageFree, to: UnsafeRawPointer.self),
            unsafeBitCast(library.firstEntry, to: UnsafeRawPointer.self),
            unsafeBitCast(library.nextEntry, to: UnsafeRawPointer.self),
            unsafeBitCast(library.getDN, to: UnsafeRawPointer.self),
            unsafeBitCast(library.memFree, to: UnsafeRawPointer.self),
            unsafeBitCast(library.getValues, to: UnsafeRawPointer.self),
            unsafeBitCast(library.valueFree, to: UnsafeRawPointer.self),
            unsafeBitCast(library.unbind, to: UnsafeRawPointer.self),
            unsafeBitCast(library.errorString, to: UnsafeRawPointer.self),
        ]
        #expect(loaded == declared)
    }

    @Test("error texts come from the loaded library")
    func describesResultCodes() {
        #expect(LDAPError.libldap(LDAPResultCode.invalidCredentials, "bind").message == "Invalid credentials")
    }

    @Test("a library that is not installed is reported with the reason for every soname tried")
    func reportsMissingLibraries() {
        let result = LDAPLibrary.load(sonames: ["libzot-authz-missing.so.1", "libzot-authz-absent.so.2"])
        guard case .failure(let error) = result else {
            Issue.record("loading a missing library succeeded")
            return
        }
        #expect(error.reasons.count == 2)
        #expect(error.reasons[0].contains("libzot-authz-missing.so.1"))
        #expect(error.reasons[1].contains("libzot-authz-absent.so.2"))
        #expect(error.description.hasPrefix("cannot load the OpenLDAP client library"))
    }

    @Test("a library without the LDAP functions is refused by name of the missing symbol")
    func refusesLibrariesWithoutLDAPFunctions() {
        guard case .failure(let error) = LDAPLibrary.load(sonames: ["libz.so.1"]) else {
            Issue.record("libz was accepted as libldap")
            return
        }
        #expect(error.reasons == ["libz.so.1 has no symbol ldap_initialize"])
    }
}
