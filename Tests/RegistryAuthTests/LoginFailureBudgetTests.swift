import NIOCore
import RegistryAuth
import Testing

@Suite("Per-name login failure budget")
struct LoginFailureBudgetTests {
    @Test("after burst failures a name is throttled until one failure is forgiven, then one attempt goes ahead")
    func throttlesAfterBurst() {
        let clock = ManualClock()
        let budget = LoginFailureBudget(burst: 3, refillInterval: 6, now: clock.now)
        for _ in 0..<3 {
            #expect(budget.retryAfter(for: "alice") == nil)
            budget.recordFailure(for: "alice")
        }
        #expect(budget.retryAfter(for: "alice") == 6)
        clock.advance(by: .seconds(4))
        #expect(abs((budget.retryAfter(for: "alice") ?? 0) - 2) < 0.001)
        clock.advance(by: .seconds(2))
        #expect(budget.retryAfter(for: "alice") == nil)
        budget.recordFailure(for: "alice")
        #expect(budget.retryAfter(for: "alice") == 6)
    }

    @Test("names are counted whether they exist or not, case-insensitively, and independently of each other")
    func perName() {
        let budget = LoginFailureBudget(burst: 2, now: ManualClock().now)
        budget.recordFailure(for: "Nobody")
        budget.recordFailure(for: " nobody ")
        #expect(budget.retryAfter(for: "NOBODY") != nil)
        #expect(budget.retryAfter(for: "alice") == nil)
    }

    @Test("a success clears the failures; throttling is never longer than one refill interval after the last failure")
    func successClears() {
        let clock = ManualClock()
        let budget = LoginFailureBudget(burst: 2, refillInterval: 5, now: clock.now)
        budget.recordFailure(for: "alice")
        budget.recordFailure(for: "alice")
        #expect(budget.retryAfter(for: "alice") == 5)
        clock.advance(by: .seconds(5))
        #expect(budget.retryAfter(for: "alice") == nil)
        budget.recordSuccess(for: "alice")
        #expect(budget.nameCount == 0)
    }

    @Test("memory stays bounded under a flood of distinct names")
    func bounded() {
        let budget = LoginFailureBudget(burst: 5, maxNames: 100, now: ManualClock().now)
        for index in 0..<5_000 { budget.recordFailure(for: "user-\(index)") }
        #expect(budget.nameCount <= 100)
    }
}
