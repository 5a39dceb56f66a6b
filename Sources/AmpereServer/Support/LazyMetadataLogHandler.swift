import Logging

/// swift-log's `StreamLogHandler`, with metadata that costs nothing until a
/// message is written.
///
/// `StreamLogHandler` formats its metadata anew each time an entry is set,
/// and Hummingbird sets one (the request id) on every request's logger: that
/// had been some 2 % of a node's CPU under a stream of REST calls, for lines
/// that are almost never written. This handler keeps the entries and hands
/// them to the stream handler with each message that is written, so lines
/// read exactly as before.
public struct LazyMetadataLogHandler: LogHandler {
    private var base: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    /// Writes to standard output at `level` and above.
    public static func standardOutput(label: String, level: Logger.Level) -> LazyMetadataLogHandler {
        var base = StreamLogHandler.standardOutput(label: label)
        base.logLevel = level
        return LazyMetadataLogHandler(base: base)
    }

    /// Writes to `stream` at `level` and above.
    public init(label: String, stream: any TextOutputStream & Sendable, level: Logger.Level) {
        var base = StreamLogHandler(label: label, stream: stream, metadataProvider: nil)
        base.logLevel = level
        self.init(base: base)
    }

    private init(base: StreamLogHandler) { self.base = base }

    public var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            // The message's own entries win, as they do in `StreamLogHandler`.
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        base.log(event: event)
    }
}
