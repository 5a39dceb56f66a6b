import Synchronization

/// Paces the acceptance of new OCPP connections to at most `rate` a second
/// (a burst of a tenth of a second's worth passes at once).
///
/// After an outage thousands of charge points reconnect within a second or
/// two, each with a boot and a queue to replay. Taken all at once they
/// starve the stations that stayed connected; paced, an upgrade waits a
/// little (its TCP connection is already open) and everyone else is served
/// on time.
final class ConnectionAdmission: Sendable {
    private let interval: Duration
    private let burst: Duration
    /// The earliest moment the next connection may be admitted.
    private let next: Mutex<ContinuousClock.Instant>

    /// Admits at most `rate` connections a second; `rate` must be positive.
    init(rate: Int) {
        precondition(rate > 0, "the admission rate must be positive")
        interval = .seconds(1) / rate
        burst = interval * max(1, rate / 10)
        next = Mutex(.now)
    }

    /// Returns when this connection's turn has come.
    func admit() async {
        let now = ContinuousClock.now
        let slot = next.withLock { next in
            let slot = max(next, now - burst)
            next = slot + interval
            return slot
        }
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
