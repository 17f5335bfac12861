@testable import RegistryAuth
import Testing

@Suite("LDAP group names")
struct LDAPGroupNamesTests {
    @Test("a memberOf DN yields both the DN and its CN, so policies can name either")
    func dnAndCommonName() {
        #expect(LDAPGroupNames.groups(fromAttributeValues: ["cn=devs,ou=groups,dc=example,dc=org"])
            == ["cn=devs,ou=groups,dc=example,dc=org", "devs"])
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
        ])
        #expect(groups == ["cn=devs,ou=a,dc=x", "devs", "cn=devs,ou=b,dc=x", "ops"])
    }
}
