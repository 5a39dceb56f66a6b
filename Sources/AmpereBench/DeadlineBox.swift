import Synchronization

/// The end of the measured window, set when the gate opens.
final class DeadlineBox: Sendable {
    private let value = Mutex<ContinuousClock.Instant>(.now)
    func set(_ instant: ContinuousClock.Instant) { value.withLock { $0 = instant } }
    func get() -> ContinuousClock.Instant { value.withLock { $0 } }
}
