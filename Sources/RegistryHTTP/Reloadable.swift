import Synchronization

/// A value the running server reads on every request and a config reload may replace: every request sees either
/// the old value or the new one, whole, never a mixture.
public final class Reloadable<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    public init(_ value: Value) {
        storage = Mutex(value)
    }

    /// The current value.
    public var value: Value {
        storage.withLock { $0 }
    }

    /// Replaces the value; returns the one it replaced.
    @discardableResult
    public func replace(with value: Value) -> Value {
        storage.withLock { current in
            let old = current
            current = value
            return old
        }
    }
}
