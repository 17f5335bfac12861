@testable import RegistryAuth
import Testing

@Suite("LDAP group names")
struct LDAPGroupNamesTests {
    static let base = "ou=groups,dc=example,dc=org"

    @Test("a memberOf DN under the group base yields both the DN and its CN, so policies can name either")
    func dnAndCommonName() {
        #expect(LDAPGroupNames.groups(fromAttributeValues: ["cn=devs,ou=groups,dc=example,dc=org"], shortNameBase: Self.base)
            == ["cn=devs,ou=groups,dc=example,dc=org", "devs"])
        #expect(LDAPGroupNames.groups(fromAttributeValues: ["CN=Devs, OU=Teams,OU=Groups, DC=Example,DC=org"], shortNameBase: Self.base)
            == ["CN=Devs, OU=Teams,OU=Groups, DC=Example,DC=org", "Devs"])
    }

    @Test("a group outside the group base keeps only its full DN: short names do not cross subtrees")
    func shortNamesStayInTheGroupBase() {
        #expect(LDAPGroupNames.groups(fromAttributeValues: ["cn=admins,ou=selfservice,dc=example,dc=org"], shortNameBase: Self.base)
            == ["cn=admins,ou=selfservice,dc=example,dc=org"])
        #expect(LDAPGroupNames.groups(fromAttributeValues: ["cn=admins,ou=groups,dc=evil,dc=org"], shortNameBase: Self.base)
            == ["cn=admins,ou=groups,dc=evil,dc=org"])
        #expect(LDAPGroupNames.groups(fromAttributeValues: ["cn=admins,dc=example,dc=org"], shortNameBase: Self.base)
            == ["cn=admins,dc=example,dc=org"])
    }

    @Test("the default group base is ou=groups above the domain components of baseDN", arguments: [
        ("ou=people,dc=example,dc=org", "ou=groups,dc=example,dc=org"),
        ("dc=example,dc=org", "ou=groups,dc=example,dc=org"),
        ("ou=staff,ou=people,dc=corp,dc=example", "ou=groups,dc=corp,dc=example"),
        ("ou=people,o=Example", "ou=groups,o=Example"),
    ])
    func defaultBase(baseDN: String, expected: String) {
        #expect(LDAPGroupNames.defaultGroupBase(baseDN: baseDN) == expected)
    }

    @Test("the CN is read from the first RDN only, case-insensitively, with escapes resolved", arguments: [
        ("cn=devs,ou=groups,dc=example,dc=org", "devs"),
        ("CN=Devs,OU=Groups,DC=example,DC=org", "Devs"),
        ("cn = spaced ,ou=g", "spaced"),
        ("cn=Smith\\, John,ou=people", "Smith, John"),
        ("cn=a\\2Bb,ou=x", "a+b"),
        ("cn=caf\\C3\\A9,ou=x", "café"),
        ("ou=team+cn=mixed,dc=x", "mixed"),
    ])
    func commonName(dn: String, expected: String) {
        #expect(LDAPGroupNames.commonName(ofDN: dn) == expected)
    }

    @Test("values that are not cn-DNs are kept as they are, without an extra name", arguments: [
        "devs", "ou=devs,dc=example,dc=org", "",
    ])
    func notACommonNameDN(value: String) {
        #expect(LDAPGroupNames.commonName(ofDN: value) == nil)
    }

    @Test("duplicates are dropped and the order is kept")
    func duplicates() {
        let groups = LDAPGroupNames.groups(fromAttributeValues: [
            "cn=devs,ou=a,dc=x", "devs", "cn=devs,ou=b,dc=x", "ops", "",
        ], shortNameBase: "dc=x")
        #expect(groups == ["cn=devs,ou=a,dc=x", "devs", "cn=devs,ou=b,dc=x", "ops"])
    }
}
