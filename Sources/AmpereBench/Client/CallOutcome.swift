import NIOCore

/// How one call of a bench station ended.
enum CallOutcome: Sendable {
    /// A CALLRESULT: the whole frame, and the time from sending to receiving it.
    case result(ByteBuffer, nanoseconds: UInt64)
    /// A CALLERROR.
    case error(nanoseconds: UInt64)
    /// No answer within the call's timeout.
    case timeout
    /// The connection ended before an answer.
    case closed

    var isResult: Bool {
        if case .result = self { return true }
        return false
    }

    /// The answer's bytes, for the few answers a scenario reads (boot, StartTransaction).
    var frameBytes: [UInt8]? {
        guard case .result(let buffer, _) = self else { return nil }
        return Array(buffer.readableBytesView)
    }
}

/// What a bench station writes into its channel.
enum StationOutbound: Sendable {
    /// A CALL frame with its message id; the promise gets the outcome.
    case call(frame: ByteBuffer, id: UInt64, timeout: TimeAmount, promise: EventLoopPromise<CallOutcome>)
    /// A WebSocket close frame (normal closure), then the socket closes.
    case close
}
