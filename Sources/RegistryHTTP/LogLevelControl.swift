import Logging
import Synchronization

/// The server's log level, shared by every logger made from the server's factory, so a config reload that changes
/// `log.level` takes effect in every request's logger at once.
public final class LogLevelControl: Sendable {
    private let level: Mutex<Logger.Level>

    public init(_ level: Logger.Level) {
        self.level = Mutex(level)
    }

    /// The current level.
    public var current: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }

    /// A log handler factory whose handlers read and write this level instead of their own.
    public func factory(_ base: @escaping @Sendable (String) -> any LogHandler) -> @Sendable (String) -> any LogHandler {
        { [self] label in SharedLevelLogHandler(base: base(label), control: self) }
    }
}

/// Forwards to `base`, with the level taken from a ``LogLevelControl``.
struct SharedLevelLogHandler: LogHandler {
    var base: any LogHandler
    let control: LogLevelControl

    var logLevel: Logger.Level {
        get { control.current }
        set { control.current = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        base.log(event: event)
    }
}
