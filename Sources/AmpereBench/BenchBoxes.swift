import Synchronization

/// The end of the measured window, set when the gate opens.
final class DeadlineBox: Sendable {
    private let value = Mutex<ContinuousClock.Instant>(.now)
    func set(_ instant: ContinuousClock.Instant) { value.withLock { $0 = instant } }
    func get() -> ContinuousClock.Instant { value.withLock { $0 } }
}

/// Carries a connection's figures out of the WebSocket handler.
final class ResultBox: Sendable {
    private let value = Mutex<ThroughputBenchmark.ConnectionResult?>(nil)
    private let gatePassed = Mutex(false)
    func set(_ result: ThroughputBenchmark.ConnectionResult) { value.withLock { $0 = result } }
    func get() -> ThroughputBenchmark.ConnectionResult? { value.withLock { $0 } }
    /// Whether the connection reached the start gate.
    var arrived: Bool {
        get { gatePassed.withLock { $0 } }
        set { gatePassed.withLock { $0 = newValue } }
    }
}
