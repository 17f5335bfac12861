import RegistryAuthCore
/// Zot's `failDelay`: a pause before answering a rejected authentication, to slow down password guessing.
///
/// It suspends the task with `Task.sleep`; no thread is blocked, so other requests proceed meanwhile.
public struct FailDelay: Sendable, Hashable {
    /// The pause length; 0 disables it.
    public let duration: Duration

    /// Creates a delay of `seconds` (negative or non-finite values mean no delay).
    public init(seconds: Double) {
        duration = seconds.isFinite && seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded())) : .zero
    }

    /// Whether applying it waits at all.
    public var isEnabled: Bool { duration > .zero }

    /// Waits for ``duration``; returns early (without error) if the task is cancelled.
    public func apply() async {
        guard isEnabled else { return }
        try? await Task.sleep(for: duration)
    }

    /// Applies the delay when `failure` calls for it.
    public func apply(for failure: AuthenticationFailure) async {
        if failure.appliesFailDelay { await apply() }
    }
}
