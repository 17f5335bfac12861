import Testing
import RegistryAuthCore
import RegistryCEL
@testable import RegistryOIDC

@Suite("Bearer claimMapping as Zot's CEL: user name, groups, variables and validations")
struct ClaimExpressionsTests {
    let claims = VerifiedClaims(subject: "repo:acme/app:ref:refs/heads/main", issuer: "https://token.actions.githubusercontent.com", claims: [
        "iss": .string("https://token.actions.githubusercontent.com"), "sub": .string("repo:acme/app:ref:refs/heads/main"),
        "repository_owner": .string("acme"), "repository_owner_id": .string("4242"), "event_name": .string("push"),
        "repository": .string("acme/app"), "groups": .array([.string("ci")]),
    ])

    func issuer(_ expressions: ClaimExpressions) -> BearerIssuerSettings {
        BearerIssuerSettings(issuer: "https://token.actions.githubusercontent.com", audiences: ["zot"], expressions: expressions)
    }

    @Test("Zot's default mapping and CEL expressions name the user; groups come from an expression")
    func usernames() throws {
        let byDefault = try BearerJWTAuthenticator.identity(from: claims, issuer: issuer(try ClaimExpressions(username: nil, groups: nil)))
        #expect(byDefault.username == "https://token.actions.githubusercontent.com/repo:acme/app:ref:refs/heads/main")
        #expect(byDefault.groups == ["ci"])
        let mapped = try ClaimExpressions(username: "'gh/' + claims.repository", groups: "[claims.repository_owner, 'ci-' + claims.event_name]")
        let identity = try BearerJWTAuthenticator.identity(from: claims, issuer: issuer(mapped))
        #expect(identity.username == "gh/acme/app")
        #expect(identity.groups == ["acme", "ci-push"])
        let plain = try BearerJWTAuthenticator.identity(from: claims, issuer: issuer(try ClaimExpressions(username: "repository", groups: nil)))
        #expect(plain.username == "acme/app")
    }

    @Test("Validations must all be true: a pinned owner id passes, a pull_request event is refused with its message")
    func validations() throws {
        let mapping = try ClaimExpressions(username: "claims.repository", groups: nil,
                                           variables: [("owner", "claims.repository_owner_id")],
                                           validations: [("vars.owner == '4242'", "wrong organisation"),
                                                         ("claims.event_name != 'pull_request'", "pull requests may not push")])
        #expect(try BearerJWTAuthenticator.identity(from: claims, issuer: issuer(mapping)).username == "acme/app")
        var pullRequest = claims.claims
        pullRequest["event_name"] = .string("pull_request")
        let refused = VerifiedClaims(subject: claims.subject, issuer: claims.issuer, claims: pullRequest)
        do {
            _ = try BearerJWTAuthenticator.identity(from: refused, issuer: issuer(mapping))
            Issue.record("a pull_request token was accepted")
        } catch {
            #expect(error.kind == .invalidCredentials)
            #expect(error.detail.contains("pull requests may not push"))
        }
        var otherOwner = claims.claims
        otherOwner["repository_owner_id"] = .string("1")
        #expect(throws: AuthenticationFailure.self) {
            try BearerJWTAuthenticator.identity(from: VerifiedClaims(subject: claims.subject, issuer: claims.issuer, claims: otherOwner), issuer: issuer(mapping))
        }
    }

    @Test("A missing claim, a non-string user name or a validation that errors refuses the token")
    func failures() throws {
        for mapping in [try ClaimExpressions(username: "claims.missing", groups: nil), try ClaimExpressions(username: "claims.groups", groups: nil),
                        try ClaimExpressions(username: nil, groups: nil, validations: [("claims.missing == 'x'", "")])] {
            #expect(throws: AuthenticationFailure.self) { try BearerJWTAuthenticator.identity(from: claims, issuer: issuer(mapping)) }
        }
    }

    @Test("Compiling names the expression outside the subset and where it is")
    func compileErrors() {
        do {
            _ = try ClaimExpressions(username: "claims.sub", groups: nil, validations: [("claims.a > 1", "m")])
            Issue.record("compiled")
        } catch {
            #expect(error.description == "claimMapping.validations[0].expression: unsupported CEL construct: the operator '>'")
        }
    }
}
