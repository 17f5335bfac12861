import RegistryAuth
import RegistryAuthCore
import Testing

@Suite("failDelay")
struct FailDelayTests {
    @Test("a zero, negative or non-finite delay does not wait")
    func disabled() {
        for seconds in [0, -1, Double.nan, .infinity] {
            #expect(!FailDelay(seconds: seconds).isEnabled)
        }
    }

    @Test("the delay waits at least its duration")
    func waits() async {
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await FailDelay(seconds: 0.05).apply() }
        #expect(elapsed >= .milliseconds(45))
    }

    @Test("many concurrent delays overlap instead of queueing on threads")
    func concurrentDelaysOverlap() async {
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<50 { group.addTask { await FailDelay(seconds: 0.2).apply() } }
            }
        }
        // 50 × 0.2 s = 10 s if they ran one after another; overlapping they take 0.2 s plus scheduling. The bound
        // leaves room for a loaded CI machine running the rest of the suite in parallel.
        #expect(elapsed < .seconds(9))
    }

    @Test("only failures that call for it are delayed")
    func appliesOnlyWhenAsked() async {
        let clock = ContinuousClock()
        let delay = FailDelay(seconds: 10)
        let elapsed = await clock.measure {
            await delay.apply(for: .malformedCredentials("x"))
        }
        #expect(elapsed < .seconds(5))
    }
}
