@testable import RegistryAuth
import Testing

@Suite("LDAP filter escaping")
struct LDAPFilterTests {
    @Test("RFC 4515 specials are escaped and everything else is kept", arguments: [
        ("alice", "alice"),
        ("*", "\\2a"),
        ("al*", "al\\2a"),
        ("*)(uid=*", "\\2a\\29\\28uid=\\2a"),
        ("a\\b", "a\\5cb"),
        ("a\0b", "a\\00b"),
        ("(admin)", "\\28admin\\29"),
        ("josé ünïcødé", "josé ünïcødé"),
        ("", ""),
    ])
    func escaping(input: String, expected: String) {
        #expect(LDAPFilter.escape(input) == expected)
    }

    @Test("the user assertion stands alone without a userFilter")
    func bareAssertion() {
        #expect(LDAPFilter.user(attribute: "uid", username: "alice", userFilter: nil) == "(uid=alice)")
        #expect(LDAPFilter.user(attribute: "uid", username: "alice", userFilter: "") == "(uid=alice)")
    }

    @Test("a userFilter is combined with AND, wrapped in parentheses when written without them")
    func combinedWithUserFilter() {
        #expect(LDAPFilter.user(attribute: "uid", username: "a*", userFilter: "(objectClass=person)")
            == "(&(objectClass=person)(uid=a\\2a))")
        #expect(LDAPFilter.user(attribute: "cn", username: "bob", userFilter: "objectClass=person")
            == "(&(objectClass=person)(cn=bob))")
    }

    @Test("an injection attempt cannot close the assertion")
    func injectionStaysInsideTheValue() {
        let filter = LDAPFilter.user(attribute: "uid", username: "x)(|(uid=*))", userFilter: "(objectClass=person)")
        #expect(filter == "(&(objectClass=person)(uid=x\\29\\28|\\28uid=\\2a\\29\\29))")
        // Exactly the parentheses we wrote remain unescaped.
        #expect(filter.filter { $0 == "(" }.count == 3)
        #expect(filter.filter { $0 == ")" }.count == 3)
    }
}
